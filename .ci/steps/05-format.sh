#!/usr/bin/env bash
# Formatting, checked before the tests: whitespace and code style exactly as .editorconfig states them. A change that
# fails here is fixed with `dotnet format whitespace --folder .` and `dotnet format style StackModel.sln --severity warn`.
set -euo pipefail
cd "$(dirname "$0")/../.."

dotnet format whitespace --folder --verify-no-changes .
dotnet format style StackModel.sln --verify-no-changes --severity warn
echo "Formatting: whitespace and style as .editorconfig states them."
