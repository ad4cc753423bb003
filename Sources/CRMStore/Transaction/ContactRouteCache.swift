import CRMCore
import Synchronization

/// The conversation of each contact the pipeline has stored a message from,
/// with its route as last committed, kept across the pipeline's transactions.
/// Most inbound messages come from a contact already known; for them the read
/// of the conversation (a search of the instance's phone index, then the row)
/// was about a tenth of the writer's time per message.
///
/// It stays true because:
/// - it changes only after a pipeline transaction has committed, with the
///   routes that transaction ended with (`remember`);
/// - a conversation whose identifiers a pipeline transaction links, or which
///   it merges into another, is not read from it for the rest of that
///   transaction, and is forgotten, with every contact leading to it, once
///   it commits;
/// - every other write that could change a route (a contact changing number or
///   user id, an instance changed or deleted with its conversations) forgets
///   everything inside its own transaction, on the store's one writer.
///
/// A new conversation changes no other's route, so creating one forgets nothing.
final class ContactRouteCache: Sendable {
    /// How a message's contact was looked up: its phone, or its user id when it has none.
    struct Key: Hashable, Sendable {
        var instance: InstanceID
        var byPhone: Bool
        var value: String
    }

    /// Past this many contacts it starts over rather than grow without bound.
    static let capacity = 50_000

    private struct State {
        var conversations: [Key: ConversationID] = [:]
        var routes: [ConversationID: ReplyRoute] = [:]
    }
    private let state = Mutex(State())

    /// The route of the contact's conversation as last committed, if known.
    func route(_ key: Key) -> ReplyRoute? {
        state.withLock { state in state.conversations[key].flatMap { state.routes[$0] } }
    }

    /// What a committed transaction learned: the contacts it found, the routes
    /// it ended with for conversations already kept, and the conversations
    /// whose identifiers it changed, to forget.
    func remember(_ contacts: [Key: ConversationID], routes: [ConversationID: ReplyRoute],
                  forgetting relinked: Set<ConversationID>) {
        state.withLock { state in
            if !relinked.isEmpty {
                state.conversations = state.conversations.filter { !relinked.contains($0.value) }
                for conversation in relinked { state.routes[conversation] = nil }
            }
            if state.conversations.count + contacts.count > Self.capacity { state = State() }
            for (key, conversation) in contacts where !relinked.contains(conversation) {
                guard let route = routes[conversation] else { continue }
                state.conversations[key] = conversation
                state.routes[conversation] = route
            }
            for (conversation, route) in routes where state.routes[conversation] != nil {
                state.routes[conversation] = route
            }
        }
    }

    func forgetAll() {
        state.withLock { $0 = State() }
    }
}
