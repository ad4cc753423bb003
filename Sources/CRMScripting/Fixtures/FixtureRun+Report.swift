import Foundation

extension FixtureRun {
    /// The report `crm-host test` prints: a line per case, and for each failure
    /// what was expected and what happened, pointing at the fixture line.
    public func text() -> String {
        var lines: [String] = []
        for problem in problems { lines.append("✗ \(problem)") }
        for result in results {
            lines.append("\(result.passed ? "✓" : "✗") \(result.file):\(result.line)  \(result.name)")
            for failure in result.failures {
                lines.append("    \(failure.subject)  (\(failure.location))")
                lines.append(contentsOf: block("expected", failure.expected))
                lines.append(contentsOf: block("actual", failure.actual))
            }
            if !result.passed, !result.logs.isEmpty {
                lines.append("    script log:")
                for entry in result.logs { lines.append("      [\(entry.level.rawValue)] \(entry.message)") }
            }
        }
        if results.isEmpty, problems.isEmpty {
            lines.append("✗ no fixture cases found (looked for */tests/*.yaml)")
        }
        let failed = failedCount + problems.count
        lines.append("")
        lines.append("\(results.count) case\(results.count == 1 ? "" : "s"), \(results.count - failedCount) passed, \(failed) failed")
        return lines.joined(separator: "\n")
    }

    private func block(_ title: String, _ items: [String]) -> [String] {
        let label = "      \(title):".padding(toLength: 16, withPad: " ", startingAt: 0)
        if items.count == 1 { return [label + items[0]] }
        return ["      \(title):"] + items.map { "        \($0)" }
    }

    /// JUnit XML for CI: a test suite per fixture file, a test case per case.
    public func junit() -> String {
        var xml = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        let failures = failedCount + problems.count
        xml.append("<testsuites name=\"crm-host test\" tests=\"\(results.count + problems.count)\" failures=\"\(failures)\">")
        var files: [String] = []
        for result in results where !files.contains(result.file) { files.append(result.file) }
        for file in files {
            let cases = results.filter { $0.file == file }
            let time = cases.reduce(0) { $0 + $1.duration }
            xml.append("  <testsuite name=\"\(escape(file))\" tests=\"\(cases.count)\" failures=\"\(cases.filter { !$0.passed }.count)\" time=\"\(String(format: "%.3f", time))\">")
            for result in cases {
                let open = "    <testcase classname=\"\(escape(file))\" name=\"\(escape(result.name))\" time=\"\(String(format: "%.3f", result.duration))\""
                guard !result.passed else { xml.append(open + "/>"); continue }
                xml.append(open + ">")
                let detail = result.failures.map { failure in
                    (["\(failure.subject) (\(failure.location))"] + block("expected", failure.expected) + block("actual", failure.actual))
                        .joined(separator: "\n")
                }.joined(separator: "\n")
                let summary = result.failures.first.map { "\($0.subject) (\($0.location))" } ?? "failed"
                xml.append("      <failure message=\"\(escape(summary))\">\(escape(detail))</failure>")
                xml.append("    </testcase>")
            }
            xml.append("  </testsuite>")
        }
        for problem in problems {
            xml.append("  <testsuite name=\"\(escape(problem.file))\" tests=\"1\" failures=\"1\">")
            xml.append("    <testcase classname=\"\(escape(problem.file))\" name=\"load\"><failure message=\"\(escape(problem.description))\"/></testcase>")
            xml.append("  </testsuite>")
        }
        xml.append("</testsuites>")
        return xml.joined(separator: "\n") + "\n"
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
