import Foundation
import LuaRoutes

extension HurlRunner {
    mutating func check(_ spec: HurlResponseSpec, _ context: inout ResponseContext) -> [HurlDiagnostic] {
        var failures: [HurlDiagnostic] = []
        let response = context.response
        if let status = spec.status, status != response.status {
            // The body usually says why ({"error":"..."}), so a mismatch shows it.
            failures.append(HurlDiagnostic(heading: "Status", location: spec.statusLocation,
                                           caret: .init(length: String(status).count, message: "actual value is <\(response.status)>"),
                                           details: [HurlRunner.bodyPreview(response.body)]))
        }
        do {
            for header in spec.headers {
                if let failure = try checkHeader(header, response) { failures.append(failure) }
            }
        } catch {
            return failures + [error.diagnostic]
        }
        for capture in spec.captures {
            do throws(HurlRunFailure) {
                let value = try evaluate(capture.query, capture.filters, &context, heading: "Capture failure")
                guard let value else {
                    throw HurlRunFailure.located("Capture failure", at: capture.query.location, length: capture.query.length,
                                                 "no value for this query, so \(capture.name) cannot be captured")
                }
                variables.captures[capture.name] = value
            } catch {
                return failures + [error.diagnostic]
            }
        }
        for assert in spec.asserts {
            do {
                let actual = try evaluate(assert.query, assert.filters, &context, heading: "Assert failure")
                let expected = try assert.predicate.value.map { value throws(HurlRunFailure) in try resolve(value) }
                let outcome = assert.predicate.evaluate(actual: actual, expected: expected)
                if !outcome.passed {
                    var details = ["actual:   \(outcome.actual)", "expected: \(outcome.expected)"]
                    if outcome.typeMismatch { details.append(">>> types between actual and expected are not consistent") }
                    failures.append(HurlDiagnostic(heading: "Assert failure", location: assert.location, details: details))
                }
            } catch {
                failures.append(error.diagnostic)
            }
        }
        if let body = spec.body {
            do {
                if let failure = try checkBody(body, response) { failures.append(failure) }
            } catch {
                failures.append(error.diagnostic)
            }
        }
        return failures
    }

    /// `Name: value` under the response line: any of a repeated header may match, exactly.
    func checkHeader(_ header: HurlKeyValue, _ response: APIResponse) throws(HurlRunFailure) -> HurlDiagnostic? {
        let name = try header.name.render(variables)
        let expected = try header.value.render(variables)
        let values = response.headerValues(name)
        if values.isEmpty {
            return HurlDiagnostic(heading: "Header", location: header.location, caretLength: name.count,
                                  message: "header \(name) is missing")
        }
        if values.contains(expected) { return nil }
        let actual = values.map { "<\($0)>" }.joined(separator: ", ")
        return HurlDiagnostic(heading: "Header", location: header.valueLocation, caretLength: expected.count,
                              message: values.count == 1 ? "actual value is \(actual)" : "actual values are \(actual)")
    }

    func checkBody(_ body: HurlBody, _ response: APIResponse) throws(HurlRunFailure) -> HurlDiagnostic? {
        func fail(_ message: String) -> HurlDiagnostic {
            HurlDiagnostic(heading: "Body", location: body.location, caretLength: 1, message: message)
        }
        switch body.kind {
        case .json(let template):
            let text = try template.renderJSON(variables)
            guard let expected = try? JSONParser.parse(text) else {
                return fail("the expected body is not valid JSON once variables are filled in")
            }
            guard let actual = try? JSONParser.parse(response.body) else {
                return fail("actual body is not valid JSON: <\(String(decoding: response.body.prefix(200), as: UTF8.self))>")
            }
            return JSONDifference.first(actual: actual, expected: expected).map(fail)
        case .text(let template):
            let expected = try template.render(variables)
            guard let actual = String(validating: response.body, as: UTF8.self) else {
                return fail("actual body is not valid UTF-8")
            }
            if actual == expected { return nil }
            return HurlDiagnostic(heading: "Body", location: body.location,
                                  details: ["actual:   \(HurlValue.string(actual).display)",
                                            "expected: \(HurlValue.string(expected).display)"])
        case .file(let path):
            let expected = try readBodyFile(path, at: body.location)
            if expected == response.body { return nil }
            return fail("actual body (\(response.body.count) bytes) differs from file <\(path)> (\(expected.count) bytes)")
        }
    }

    /// A query's value after its filters; `nil` is *none*.
    func evaluate(_ query: HurlQuery, _ filters: [HurlFilter], _ context: inout ResponseContext,
                  heading: String) throws(HurlRunFailure) -> HurlValue? {
        func fail(_ message: String) -> HurlRunFailure {
            .located(heading, at: query.location, length: query.length, message)
        }
        let response = context.response
        var value: HurlValue?
        switch query.kind {
        case .status:
            value = .integer(Int64(response.status))
        case .header(let template):
            let values = response.headerValues(try template.render(variables))
            value = values.isEmpty ? nil : values.count == 1 ? .string(values[0]) : .list(values.map(HurlValue.string))
        case .cookie(let template):
            let name = try template.render(variables)
            let cookie = response.headerValues("Set-Cookie").compactMap(HurlCookieJar.parseSetCookie)
                .last { $0.name == name }
            value = cookie.map { .string($0.value) }
        case .body:
            guard let text = String(validating: response.body, as: UTF8.self) else {
                throw fail("the response body is not valid UTF-8")
            }
            value = .string(text)
        case .bytes:
            value = .bytes(response.body)
        case .jsonpath(let template):
            let expression = try template.render(variables)
            let path: JSONPath
            do {
                path = try JSONPath.parse(expression)
            } catch {
                throw fail("invalid JSONPath <\(expression)>")
            }
            if context.json == nil {
                context.json = Result { () throws(JSONSyntaxError) in try JSONParser.parse(response.body) }
            }
            guard case .success(let json)? = context.json else { throw fail("the response body is not valid JSON") }
            value = path.evaluate(json)
        case .variable(let name):
            value = variables[name]
        case .duration:
            value = .integer(context.durationMS)
        }
        for filter in filters {
            switch (filter, value) {
            case (.count, nil):
                throw fail("missing value to apply the count filter")
            case (.count, .list(let items)?): value = .integer(Int64(items.count))
            case (.count, .object(let members)?): value = .integer(Int64(members.count))
            case (.count, .bytes(let bytes)?): value = .integer(Int64(bytes.count))
            case (.count, let other?):
                throw fail("count needs a collection or bytes, got \(other.display)")
            }
        }
        return value
    }
}

extension HurlRunner {
    static let bodyPreviewLimit = 1000

    /// `body: <first 1000 bytes>` (`... N more bytes` after), or `body: (empty)`.
    static func bodyPreview(_ body: [UInt8]) -> String {
        if body.isEmpty { return "body: (empty)" }
        let shown = String(decoding: body.prefix(bodyPreviewLimit), as: UTF8.self)
        let more = body.count > bodyPreviewLimit ? " ... \(body.count - bodyPreviewLimit) more bytes" : ""
        return "body: " + shown + more
    }
}
