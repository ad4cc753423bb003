import CRMCore
import Foundation

/// Feeds a case's events to a runtime, committing each event's actions to the
/// world as the pipeline would, and firing timers as the clock advances.
struct CasePlayer {
    let runtime: ScriptRuntime
    let world: MemoryScriptContext
    let file: String
    /// Script failures with the fixture line of the event that caused them.
    private(set) var errors: [(failure: ScriptFailure, line: Int)] = []
    /// Events the fixture itself got wrong (e.g. a status for an unknown contact).
    private(set) var problems: [FixtureFailure] = []
    private var messageCount = 0

    init(runtime: ScriptRuntime, world: MemoryScriptContext, file: String) {
        self.runtime = runtime
        self.world = world
        self.file = file
    }

    mutating func play(_ event: FixtureEvent) {
        switch event.kind {
        case .message(let contact, let key, let name, let text, let id, let group, let media):
            messageCount += 1
            let conversationContact = group.map { ContactIdentity(userID: $0.id) } ?? contact
            let conversation = world.conversation(contact: conversationContact, key: group?.id ?? key, name: name, group: group)
            world.received(in: conversation, at: world.now)
            let message = MessageEvent(whatsappID: id ?? "wamid.fixture.\(messageCount)", conversation: conversation,
                                       contact: conversationContact, name: name, text: text, group: group,
                                       sender: group == nil ? nil : key, media: media, at: world.now)
            handle(.message(message), line: event.line)
        case .advance(let seconds):
            let target = world.now.addingTimeInterval(seconds)
            while let timer = world.takeDueTimer(until: target) {
                world.now = max(world.now, timer.dueAt)
                handle(.timer(timer), line: event.line)
            }
            world.now = target
        case .status(let contact, let status, let reason):
            guard let conversation = conversation(of: contact, line: event.line) else { return }
            let index = world.sent.lastIndex { $0.conversation == conversation }
            handle(.status(StatusEvent(messageID: index.map { "sent.\($0 + 1)" } ?? "sent.0", conversation: conversation,
                                       status: status, reason: reason, at: world.now)), line: event.line)
        case .connection(let connection):
            handle(.connection(connection), line: event.line)
        case .timer(let name, let payload):
            handle(.timer(TimerEvent(name: name, payload: payload, dueAt: world.now)), line: event.line)
        case .operatorReply(let contact):
            guard let conversation = conversation(of: contact, line: event.line) else { return }
            world.operatorReplied(in: conversation, at: world.now)
        }
    }

    private mutating func conversation(of contact: String, line: Int) -> ConversationID? {
        if let id = world.conversationID(contact: contact) { return id }
        problems.append(FixtureFailure(subject: "the event names a contact with no conversation yet",
                                       location: "\(file):\(line)", expected: ["a message from \(contact) earlier in the case"],
                                       actual: ["no conversation with \(contact)"]))
        return nil
    }

    private mutating func handle(_ event: ScriptEvent, line: Int) {
        let outcome = runtime.handle(event, context: world)
        if let failure = outcome.failure {
            errors.append((failure, line))
        } else {
            world.apply(outcome.actions)
        }
    }
}
