import CRMCore
import Foundation

/// Compares what the scripts did (the world after the case) with `expect`.
struct FixtureComparison {
    let file: String
    let world: MemoryScriptContext
    let errors: [(failure: ScriptFailure, line: Int)]

    func failures(for expect: FixtureExpectation) -> [FixtureFailure] {
        var failures = scriptErrors(expect)
        if let mismatch = sends(expect) { failures.append(mismatch) }
        for (contact, tags, line) in expect.tags {
            let actual = conversation(contact)?.tags ?? []
            if Set(actual) != Set(tags) {
                failures.append(FixtureFailure(subject: "tags of \(contact)", location: "\(file):\(line)",
                                               expected: [list(tags.sorted())], actual: [list(actual.sorted())]))
            }
        }
        for (contact, queue, line) in expect.assign {
            let actual = conversation(contact)?.assignee
            if actual != queue {
                failures.append(FixtureFailure(subject: "assignment of \(contact)", location: "\(file):\(line)",
                                               expected: [queue ?? "(none)"], actual: [actual ?? "(none)"]))
            }
        }
        for (key, value, line) in expect.kv where !same(world.store[key], value) {
            failures.append(FixtureFailure(subject: "kv \(key)", location: "\(file):\(line)",
                                           expected: [text(value)], actual: [text(world.store[key])]))
        }
        return failures
    }

    private func scriptErrors(_ expect: FixtureExpectation) -> [FixtureFailure] {
        if let wanted = expect.error {
            guard errors.contains(where: { wanted.matches($0.failure.description) }) else {
                return [FixtureFailure(subject: "script error", location: "\(file):\(expect.errorLine)",
                                       expected: [wanted.description],
                                       actual: errors.isEmpty ? ["no error"] : errors.map(\.failure.description))]
            }
            return []
        }
        return errors.map { error in
            FixtureFailure(subject: "script error", location: "\(file):\(error.line)", expected: ["no error"],
                           actual: [error.failure.description])
        }
    }

    private func sends(_ expect: FixtureExpectation) -> FixtureFailure? {
        let expected = expect.sends ?? []
        if expect.sends == nil, expect.allowOtherSends { return nil }
        let actual = world.sent
        let matched: Bool
        if expect.allowOtherSends {
            var remaining = actual[...]
            matched = expected.allSatisfy { wanted in
                guard let index = remaining.firstIndex(where: { matches(wanted, $0) }) else { return false }
                remaining = remaining[(index + 1)...]
                return true
            }
        } else {
            matched = expected.count == actual.count && zip(expected, actual).allSatisfy { matches($0, $1) }
        }
        guard !matched else { return nil }
        let subject = expect.sends == nil ? "unexpected sends (list them under `sends:` or set `allow_other_sends: true`)"
            : expect.allowOtherSends ? "sends (in this order, others allowed)" : "sends"
        return FixtureFailure(subject: subject, location: "\(file):\(expect.sendsLine)",
                              expected: expected.isEmpty ? ["(no sends)"] : expected.enumerated().map { "\($0 + 1). \(describe($1))" },
                              actual: actual.isEmpty ? ["(no sends)"] : actual.enumerated().map { "\($0 + 1). \(describe($1))" })
    }

    private func matches(_ wanted: FixtureExpectation.Send, _ sent: MemoryScriptContext.Sent) -> Bool {
        if let to = wanted.to, to != sent.to { return false }
        if let text = wanted.text, !text.matches(sent.content.text ?? sent.content.media?.caption) { return false }
        if let media = wanted.media, media != sent.content.media?.type { return false }
        if let template = wanted.template, template != sent.content.template?.name { return false }
        return true
    }

    private func describe(_ wanted: FixtureExpectation.Send) -> String {
        var parts = ["to \(wanted.to ?? "anyone")"]
        if let text = wanted.text { parts.append("text \(text)") }
        if let media = wanted.media { parts.append("media \(media)") }
        if let template = wanted.template { parts.append("template \(template)") }
        return parts.joined(separator: ", ")
    }

    private func describe(_ sent: MemoryScriptContext.Sent) -> String {
        var parts = ["to \(sent.to)"]
        if let text = sent.content.text { parts.append("text \"\(text.replacingOccurrences(of: "\n", with: "\\n"))\"") }
        if let media = sent.content.media { parts.append("media \(media.type)") }
        if let template = sent.content.template { parts.append("template \(template.name)") }
        return parts.joined(separator: ", ")
    }

    private func conversation(_ contact: String) -> ConversationView? {
        world.conversationID(contact: contact).flatMap(world.conversation)
    }

    private func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }

    private func same(_ actual: JSONValue?, _ expected: JSONValue?) -> Bool {
        switch (actual, expected) {
        case (.integer(let a)?, .number(let b)?), (.number(let b)?, .integer(let a)?): return Double(a) == b
        default: return actual == expected
        }
    }

    private func text(_ value: JSONValue?) -> String {
        guard let value else { return "(absent)" }
        return (try? JSONText.encode(value)) ?? "?"
    }
}
