/* Placeholders (docs/data.md ("Placeholders")): `?` (positional) or `$1, $2, ...` (numbered, reusable),
 * one style per statement, rewritten to the engine's own. What is inside quotes ('..'),
 * identifiers ("..", `..`, and SQLite's [..]), comments (-- and / * * /) and dollar-quoted
 * bodies ($$..$$, $tag$..$tag$) is copied untouched. */
#include <stdio.h>
#include <string.h>
#include "lr_db_internal.h"

static int lr_isdigit(char c) { return c >= '0' && c <= '9'; }
static int lr_isident(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || lr_isdigit(c); }

/* The end of the quoted or commented span starting at i, or i when none starts there. */
static size_t lr_skip(const char *s, size_t len, size_t i, char style) {
    char c = s[i];
    if (c == '\'' || c == '"' || c == '`' || (c == '[' && style == '?')) {
        char close = c == '[' ? ']' : c;
        for (size_t j = i + 1; j < len; j++) {
            if (s[j] == close) {
                if (close != ']' && j + 1 < len && s[j + 1] == close) { j++; continue; }   /* '' inside '...' */
                return j + 1;
            }
        }
        return len;
    }
    if (c == '-' && i + 1 < len && s[i + 1] == '-') {
        const char *nl = memchr(s + i, '\n', len - i);
        return nl ? (size_t)(nl - s) + 1 : len;
    }
    if (c == '/' && i + 1 < len && s[i + 1] == '*') {
        for (size_t j = i + 2; j + 1 < len; j++) if (s[j] == '*' && s[j + 1] == '/') return j + 2;
        return len;
    }
    if (c == '$' && i + 1 < len && !lr_isdigit(s[i + 1])) {   /* $$ or $tag$ opens a body */
        size_t j = i + 1;
        while (j < len && lr_isident(s[j])) j++;
        if (j >= len || s[j] != '$' || (j > i + 1 && lr_isdigit(s[i + 1]))) return i;
        size_t taglen = j - i + 1;
        for (size_t k = j + 1; k + taglen <= len; k++) {
            if (s[k] == '$' && memcmp(s + k, s + i, taglen) == 0) return k + taglen;
        }
        return len;
    }
    return i;
}

/* Output helpers: out NULL only counts. */
static void lr_add(luaL_Buffer *out, const char *p, size_t n) { if (out) luaL_addlstring(out, p, n); }
static void lr_addc(luaL_Buffer *out, char c) { if (out) luaL_addchar(out, c); }

int lr_db_rewrite(const char *s, size_t len, char style, luaL_Buffer *out, char *err, size_t errlen) {
    int positional = 0, numbered = 0;

    long max = 0;
    size_t i = 0;
    while (i < len) {
        size_t end = lr_skip(s, len, i, style);
        if (end != i) {
            lr_add(out, s + i, end - i);
            i = end;
            continue;
        }
        char c = s[i];
        if ((c == '$' || c == '?') && i + 1 < len && lr_isdigit(s[i + 1])) {
            size_t j = i + 1;
            long n = 0;
            while (j < len && lr_isdigit(s[j])) { if (n < 100000) n = n * 10 + (s[j] - '0'); j++; }
            if (n == 0 || n > 32766) {
                snprintf(err, errlen, "db: %.*s is not a placeholder (they are numbered from $1 to $32766)", (int)(j - i), s + i);
                return -1;
            }
            numbered = 1;
            if (n > max) max = n;
            lr_addc(out, style);
            lr_add(out, s + i + 1, j - i - 1);
            i = j;
            continue;
        }
        if (c == '?') {
            positional++;
            if (style == '?') lr_addc(out, '?');
            else { char num[16]; int k = snprintf(num, sizeof num, "$%d", positional); lr_add(out, num, (size_t)k); }
            i++;
            continue;
        }
        lr_addc(out, c);
        i++;
    }
    if (positional && numbered) {
        snprintf(err, errlen, "db: use either ? or $1, $2, ... placeholders in one statement, not both");
        return -1;
    }
    return numbered ? (int)max : positional;
}

int lr_db_needs_rewrite(const char *s, size_t len, char style) {
    return memchr(s, style == '?' ? '$' : '?', len) != NULL;
}

int lr_db_only_trivia(const char *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == ';') { i++; continue; }
        if ((c == '-' && i + 1 < len && s[i + 1] == '-') || (c == '/' && i + 1 < len && s[i + 1] == '*')) {
            i = lr_skip(s, len, i, '?');
            continue;
        }
        return 0;
    }
    return 1;
}

void lr_db_line_column(const char *text, size_t offset, int *line, int *column) {
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < offset && text[i]; i++) {
        if (text[i] == '\n') { (*line)++; *column = 1; } else (*column)++;
    }
}

size_t lr_db_statement_end(const char *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        size_t end = lr_skip(s, len, i, '$');
        if (end != i) { i = end; continue; }
        if (s[i] == ';') return i;
        i++;
    }
    return len;
}

int lr_db_is_trivia(const char *s, size_t len) { return lr_db_only_trivia(s, len); }
