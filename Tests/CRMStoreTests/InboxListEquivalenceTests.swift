import CRMCore
import GRDB
import XCTest
@testable import CRMStore

/// The inbox list is read by statements stepped directly, inside a transaction
/// begun by hand; it must list exactly what plain GRDB reads of the same
/// tables say, page after page, for every filter.
final class InboxListEquivalenceTests: XCTestCase {
    func test_everyPageOfEveryFilterMatchesAPlainRead() throws {
        let temporary = try TemporaryStore()
        let (company, instances) = try seed(temporary)
        let filters = [
            InboxFilter(),
            InboxFilter(instanceID: instances[1].id),
            InboxFilter(instanceID: instances[2].id.uppercased()),
            InboxFilter(tag: "vip"),
            InboxFilter(assignee: "sales"),
            InboxFilter(text: "Contato 1"),
            InboxFilter(instanceID: instances[0].id, tag: "lead", assignee: "support"),
        ]
        for filter in filters {
            let expected = try plainRead(temporary.store, company: company, filter: filter)
            XCTAssertFalse(expected.isEmpty, "\(filter) lists nothing: the seed does not exercise it")
            var listed: [Listing] = []
            var cursor: String?
            repeat {
                let page = try temporary.store.conversations(company: company, filter: filter, cursor: cursor, limit: 7)
                listed += page.items.map(Listing.init)
                cursor = page.nextCursor
            } while cursor != nil
            XCTAssertEqual(listed, expected, "\(filter)")
        }
    }

    func test_aFailedReadLeavesNoTransactionBehind() throws {
        let temporary = try TemporaryStore()
        struct Refused: Error {}
        XCTAssertThrowsError(try temporary.store.readers.read { reader in
            _ = try DirectStatement(reader, sql: "SELECT 1").fetchOne { _ in () }
            throw Refused()
        })
        XCTAssertThrowsError(try temporary.store.readers.read { reader in
            try DirectStatement(reader, sql: "SELECT no_such_column FROM conversations").execute()
        })
        // Both used the one idle connection, which is lent again now: had a
        // transaction been left open on it, this read's BEGIN would fail.
        XCTAssertEqual(try temporary.store.conversations(company: 1).items, [])
    }

    func test_aReadSeesWhatWasCommittedBeforeIt() throws {
        let temporary = try TemporaryStore()
        let instance = try temporary.connectedInstance(phone: "5511999990000")
        XCTAssertEqual(try temporary.store.conversations(company: instance.companyID).items.count, 0)
        try temporary.ingest(inbound(instance, id: "w1", phone: "5511970000001"))
        XCTAssertEqual(try temporary.store.conversations(company: instance.companyID).items.count, 1)
    }

    /// 60 conversations over three instances of one company (phones, user ids
    /// with usernames, groups; tags, assignees, read and unread), beside a
    /// second company whose conversations must never show.
    private func seed(_ temporary: TemporaryStore) throws -> (Int64, [InstanceRecord]) {
        let first = try temporary.connectedInstance(phone: "5511999990000", name: "Vendas")
        let instances = [first,
                         try temporary.connectedInstance(company: first.companyID, phone: "5511999990001", name: "Suporte"),
                         try temporary.connectedInstance(company: first.companyID, phone: "5511999990002", name: "Loja \"centro\"")]
        let rival = try temporary.connectedInstance(phone: "5511988880000", name: "Rival")
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for index in 0..<60 {
            let instance = instances[index % 3]
            // Every fifth pair shares a second: the cursor must break the tie by id.
            let at = start.addingTimeInterval(Double(index / 2) + (index % 5 == 0 ? 0 : 0.25))
            let message = switch index % 4 {
            case 0: inbound(instance, id: "p\(index)", phone: "5511970000\(100 + index)", name: "Contato \(index)", at: at)
            case 1: inbound(instance, id: "u\(index)", userID: "BR.\(index)", username: "user\(index)", at: at)
            case 2: inbound(instance, id: "g\(index)", userID: "1203630000\(index)",
                                      group: GroupRef(id: "1203630000\(index)", name: "Grupo \(index)"), at: at)
            default: inbound(instance, id: "n\(index)", phone: "5511960000\(100 + index)", name: "Ana\nMaria \(index)", at: at)
            }
            guard case .stored(let stored, _) = try temporary.ingest(message) else { return (0, []) }
            var actions: [ScriptAction] = []
            if index % 3 == 0 { actions.append(.tag(conversation: stored.conversationID, tag: "vip")) }
            if index % 6 == 0 { actions.append(.tag(conversation: stored.conversationID, tag: "lead")) }
            if index % 5 == 1 { actions.append(.assign(conversation: stored.conversationID, queue: "sales")) }
            if index % 2 == 0 { actions.append(.assign(conversation: stored.conversationID, queue: "support")) }
            _ = try temporary.store.transactionNow { try $0.apply(actions, instance: instance, at: at) }
            if index % 7 == 0 { try temporary.store.markRead(stored.conversationID, company: first.companyID) }
            try temporary.ingest(inbound(rival, id: "r\(index)", phone: "5511950000\(100 + index)", at: at))
        }
        return (first.companyID, instances)
    }

    /// The list as plain GRDB reads give it: records by column name, the
    /// instance and the tags of each row by a query of their own.
    private func plainRead(_ store: CRMStore, company: Int64, filter: InboxFilter) throws -> [Listing] {
        try store.pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM conversations WHERE company_id = ? ORDER BY last_message_at DESC, id DESC",
                                        arguments: [company])
            return try rows.compactMap { row -> Listing? in
                let id: Int64 = row["id"]
                let instanceID: String = row["instance_id"]
                let tags = try String.fetchAll(db, sql: """
                    SELECT tags.name FROM conversation_tags JOIN tags ON tags.id = conversation_tags.tag_id
                    WHERE conversation_tags.conversation_id = ? ORDER BY tags.name
                    """, arguments: [id])
                if let wanted = filter.instanceID, wanted.lowercased() != instanceID { return nil }
                if let wanted = filter.tag, !tags.contains(wanted) { return nil }
                if let wanted = filter.assignee, wanted != row["assignee"] as String? { return nil }
                if let text = filter.text {
                    let fields: [String?] = [row["contact_name"], row["contact_id"], row["contact_username"], row["group_name"]]
                    let contents = try String.fetchAll(db, sql: "SELECT content FROM messages WHERE conversation_id = ?", arguments: [id])
                    guard (fields.compactMap { $0 } + contents).contains(where: { $0.localizedCaseInsensitiveContains(text) }) else {
                        return nil
                    }
                }
                let instance = try Row.fetchOne(db, sql: "SELECT name, phone_number FROM instances WHERE id = ?",
                                                arguments: [instanceID])!
                return Listing(
                    id: id, instanceID: instanceID, companyID: row["company_id"], contactID: row["contact_id"],
                    contactPhone: row["contact_phone"], contactUserID: row["contact_user_id"],
                    contactUsername: row["contact_username"], contactName: row["contact_name"], isGroup: row["is_group"],
                    groupName: row["group_name"], lastMessageAt: row["last_message_at"], lastInboundAt: row["last_inbound_at"],
                    lastOperatorReplyAt: row["last_operator_reply_at"], unreadCount: row["unread_count"],
                    assignee: row["assignee"], createdAt: row["created_at"], instanceName: instance["name"],
                    instancePhone: instance["phone_number"], tags: tags)
            }
        }
    }

    /// Every field of a listed conversation, stored times as stored.
    fileprivate struct Listing: Equatable {
        var id: Int64, instanceID: String, companyID: Int64, contactID: String
        var contactPhone: String?, contactUserID: String?, contactUsername: String?, contactName: String?
        var isGroup: Bool, groupName: String?
        var lastMessageAt: Double, lastInboundAt: Double?, lastOperatorReplyAt: Double?
        var unreadCount: Int, assignee: String?, createdAt: Double
        var instanceName: String, instancePhone: String?, tags: [String]
    }
}

extension InboxListEquivalenceTests.Listing {
    init(_ item: InboxConversation) {
        let row = item.conversation
        self.init(id: row.id, instanceID: row.instanceID, companyID: row.companyID, contactID: row.contactID,
                  contactPhone: row.contactPhone, contactUserID: row.contactUserID, contactUsername: row.contactUsername,
                  contactName: row.contactName, isGroup: row.isGroup, groupName: row.groupName,
                  lastMessageAt: row.lastMessageAt.timeIntervalSince1970,
                  lastInboundAt: row.lastInboundAt?.timeIntervalSince1970,
                  lastOperatorReplyAt: row.lastOperatorReplyAt?.timeIntervalSince1970, unreadCount: row.unreadCount,
                  assignee: row.assignee, createdAt: row.createdAt.timeIntervalSince1970, instanceName: item.instanceName,
                  instancePhone: item.instancePhone, tags: item.tags)
    }
}
