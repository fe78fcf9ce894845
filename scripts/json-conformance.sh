#!/usr/bin/env bash
# JSONTestSuite through real HTTP requests (issue 3): every y_ file echoes back equal, every n_
# file answers 400, every i_ file gets an answer, and the host keeps serving.
# Usage: json-conformance.sh LUAROUTES_BINARY TEST_PARSING_FOLDER
exec python3 "$(dirname "$0")/json_conformance.py" "$@"
