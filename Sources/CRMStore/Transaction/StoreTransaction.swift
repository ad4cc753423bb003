import CRMCore
import Foundation
import GRDB

/// One open write transaction, as the pipeline sees it: store an inbound
/// message, let scripts read, commit their actions, record outcomes. Everything
/// done through one value commits together or not at all.
///
/// Used only inside `CRMStore.transaction`; never kept after it returns.
public final class StoreTransaction {
    let db: Database
    private let instances: InstanceRecordCache
    /// Contacts' conversations kept across the pipeline's transactions; nil
    /// in the other transactions, which store no inbound message.
    let contactRoutes: ContactRouteCache?
    /// The contacts this transaction looked up in the database, for
    /// `contactRoutes` once it commits.
    var foundContacts: [ContactRouteCache.Key: ConversationID] = [:]
    /// Conversations whose contact identifiers this transaction changed
    /// (linked, or merged away): their contacts are read from the database
    /// from then on, and forgotten by `contactRoutes` once it commits.
    var relinkedConversations: Set<ConversationID> = []
    /// The route of every conversation this transaction has looked up or
    /// written an inbound message to (see `ReplyRoute` for why it stays true).
    var routes: [ConversationID: ReplyRoute] = [:]
    /// The conversation update of the inbound message in progress, not yet
    /// written (see `ConversationTouch`).
    var pendingTouch: ConversationTouch?

    init(db: Database, instances: InstanceRecordCache, contactRoutes: ContactRouteCache? = nil) {
        self.db = db
        self.instances = instances
        self.contactRoutes = contactRoutes
    }

    /// Runs `body` with a new value on `db`'s open transaction, writing what
    /// it held back before the transaction commits.
    static func run<T>(in db: Database, instances: InstanceRecordCache,
                       _ body: (StoreTransaction) throws -> T) throws -> T {
        try StoreTransaction(db: db, instances: instances).run(body)
    }

    /// Runs `body` with this value, writing what it held back before the
    /// transaction commits.
    func run<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        let result = try body(self)
        try settleTouch()
        return result
    }

    /// Hands what this transaction learned about contacts' conversations to
    /// `contactRoutes`; only once it has committed.
    func committed() {
        guard let contactRoutes, !foundContacts.isEmpty || !routes.isEmpty else { return }
        contactRoutes.remember(foundContacts, routes: routes, forgetting: relinkedConversations)
    }

    /// The instance by id, read once and then kept (see `InstanceRecordCache`).
    public func instance(_ id: InstanceID) throws -> InstanceRecord? {
        if let cached = instances.record(id) { return cached }
        let record = try InstanceRecord.fetch(db, id: id)
        if let record { instances.remember(record) }
        return record
    }

    /// Who owns a conversation and where its replies go, read at most once per
    /// transaction; nil when it does not exist.
    func route(_ id: ConversationID) throws -> ReplyRoute? {
        if let cached = routes[id] { return cached }
        try settleTouch()
        let route = try ReplyRoute.fetch(db, id: id)
        routes[id] = route
        return route
    }

    /// Writes the conversation update held back for the inbound message in
    /// progress: before anything reads conversation rows, and before the
    /// transaction commits. It stays held back until written, so a failed
    /// write fails the commit rather than being lost.
    func settleTouch() throws {
        guard let touch = pendingTouch else { return }
        try touch.write(db)
        pendingTouch = nil
    }

    /// What scripts of `instance` may read, seeing this transaction's writes.
    public func scriptContext(for instance: InstanceRecord, now: Date) -> ScriptContext {
        StoreScriptContext(transaction: self, instance: instance.info, now: now)
    }

    /// Keeps a script failure for the API and the inbox (`script_errors`).
    public func recordScriptError(_ failure: ScriptFailure, instance: InstanceID, event: String, at now: Date) throws {
        try db.cachedStatement(sql: """
            INSERT INTO script_errors(instance_id, event, kind, message, file, line, traceback, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [instance, event, failure.kind, failure.message, failure.file, failure.line,
                                     failure.traceback, now.storageSeconds])
    }
}
