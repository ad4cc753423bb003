import GRDB

/// The schema of SPEC §3 as named migrations. A migration that has shipped is
/// never edited: changes are new migrations appended at the end.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-companies-and-keys") { db in
            try db.execute(sql: """
                CREATE TABLE companies(
                  id INTEGER PRIMARY KEY,
                  name TEXT NOT NULL,
                  created_at REAL NOT NULL);
                CREATE TABLE api_keys(
                  id INTEGER PRIMARY KEY,
                  company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
                  name TEXT NOT NULL,
                  hash TEXT NOT NULL UNIQUE,
                  created_at REAL NOT NULL,
                  revoked_at REAL);
                CREATE INDEX api_keys_company ON api_keys(company_id);
                """)
        }
        migrator.registerMigration("v1-instances-and-credentials") { db in
            try db.execute(sql: """
                CREATE TABLE instances(
                  id TEXT PRIMARY KEY,
                  company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
                  name TEXT NOT NULL,
                  phone_number TEXT,
                  status TEXT NOT NULL DEFAULT 'DISCONNECTED',
                  qr_code TEXT,
                  connector TEXT NOT NULL DEFAULT 'sim',
                  config TEXT NOT NULL DEFAULT '{}',
                  created_at REAL NOT NULL,
                  updated_at REAL NOT NULL);
                CREATE INDEX instances_company ON instances(company_id, created_at);
                -- SPEC §2 point 4, also enforced by the database itself.
                CREATE UNIQUE INDEX instances_connected_phone ON instances(phone_number)
                  WHERE status = 'CONNECTED';
                CREATE TABLE credentials(
                  instance_id TEXT PRIMARY KEY REFERENCES instances(id) ON DELETE CASCADE,
                  blob BLOB NOT NULL,
                  updated_at REAL NOT NULL);
                """)
        }
        migrator.registerMigration("v1-conversations-and-messages") { db in
            try db.execute(sql: """
                CREATE TABLE conversations(
                  id INTEGER PRIMARY KEY,
                  instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
                  company_id INTEGER NOT NULL,
                  contact_id TEXT NOT NULL,
                  contact_phone TEXT,
                  contact_user_id TEXT,
                  contact_username TEXT,
                  contact_name TEXT,
                  is_group INTEGER NOT NULL DEFAULT 0,
                  group_name TEXT,
                  last_message_at REAL NOT NULL,
                  last_inbound_at REAL,
                  last_operator_reply_at REAL,
                  unread_count INTEGER NOT NULL DEFAULT 0,
                  assignee TEXT,
                  created_at REAL NOT NULL,
                  UNIQUE(instance_id, contact_id));
                CREATE UNIQUE INDEX conversations_phone ON conversations(instance_id, contact_phone)
                  WHERE contact_phone IS NOT NULL;
                CREATE UNIQUE INDEX conversations_user_id ON conversations(instance_id, contact_user_id)
                  WHERE contact_user_id IS NOT NULL;
                CREATE INDEX conversations_inbox ON conversations(company_id, last_message_at DESC, id DESC);
                CREATE INDEX conversations_instance_inbox ON conversations(instance_id, last_message_at DESC, id DESC);
                CREATE TABLE messages(
                  id INTEGER PRIMARY KEY,
                  instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
                  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                  whatsapp_message_id TEXT,
                  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
                  sender TEXT,
                  content TEXT NOT NULL,
                  media_url TEXT,
                  media_type TEXT,
                  status TEXT,
                  reason TEXT,
                  created_at REAL NOT NULL);
                -- A redelivered event is stored once (SPEC §3); receipts find sends here too.
                CREATE UNIQUE INDEX messages_whatsapp_id ON messages(instance_id, whatsapp_message_id)
                  WHERE whatsapp_message_id IS NOT NULL;
                CREATE INDEX messages_conversation ON messages(conversation_id, id);
                """)
        }
        migrator.registerMigration("v1-tags") { db in
            try db.execute(sql: """
                CREATE TABLE tags(
                  id INTEGER PRIMARY KEY,
                  company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
                  name TEXT NOT NULL,
                  UNIQUE(company_id, name));
                CREATE TABLE conversation_tags(
                  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                  tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
                  PRIMARY KEY(conversation_id, tag_id)) WITHOUT ROWID;
                CREATE INDEX conversation_tags_tag ON conversation_tags(tag_id, conversation_id);
                """)
        }
        migrator.registerMigration("v1-script-state") { db in
            try db.execute(sql: """
                CREATE TABLE kv(
                  instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
                  key TEXT NOT NULL,
                  value TEXT NOT NULL,
                  PRIMARY KEY(instance_id, key)) WITHOUT ROWID;
                CREATE TABLE timers(
                  id INTEGER PRIMARY KEY,
                  instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
                  name TEXT NOT NULL,
                  payload TEXT NOT NULL,
                  due_at REAL NOT NULL,
                  created_at REAL NOT NULL);
                CREATE INDEX timers_due ON timers(due_at);
                CREATE TABLE script_errors(
                  id INTEGER PRIMARY KEY,
                  instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
                  event TEXT NOT NULL,
                  kind TEXT NOT NULL,
                  message TEXT NOT NULL,
                  file TEXT,
                  line INTEGER,
                  traceback TEXT,
                  created_at REAL NOT NULL);
                CREATE INDEX script_errors_instance ON script_errors(instance_id, id);
                """)
        }
        migrator.registerMigration("v1-outbox") { db in
            // Rows live only until the connector confirms or refuses for good;
            // the message row keeps the outcome.
            try db.execute(sql: """
                CREATE TABLE outbox(
                  id INTEGER PRIMARY KEY,
                  instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
                  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                  recipient TEXT NOT NULL,
                  recipient_is_user_id INTEGER NOT NULL DEFAULT 0,
                  is_group INTEGER NOT NULL DEFAULT 0,
                  content TEXT NOT NULL,
                  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending')),
                  attempts INTEGER NOT NULL DEFAULT 0,
                  next_attempt_at REAL NOT NULL,
                  last_error TEXT,
                  created_at REAL NOT NULL);
                CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
                """)
        }
        migrator.registerMigration("v2-outbox-ids-never-reused") { db in
            // The idempotency key is `outbox-<id>`. A plain INTEGER PRIMARY KEY
            // hands the id of a deleted last row to the next insert, and the
            // outbox empties whenever every send is confirmed: a new reply
            // would carry an old reply's key and the connector would drop it
            // as a duplicate. AUTOINCREMENT never reuses an id.
            try db.execute(sql: """
                CREATE TABLE outbox_new(
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
                  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                  recipient TEXT NOT NULL,
                  recipient_is_user_id INTEGER NOT NULL DEFAULT 0,
                  is_group INTEGER NOT NULL DEFAULT 0,
                  content TEXT NOT NULL,
                  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending')),
                  attempts INTEGER NOT NULL DEFAULT 0,
                  next_attempt_at REAL NOT NULL,
                  last_error TEXT,
                  created_at REAL NOT NULL);
                INSERT INTO outbox_new SELECT * FROM outbox;
                DROP TABLE outbox;
                ALTER TABLE outbox_new RENAME TO outbox;
                CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
                """)
            // Keys already handed out by messages sent before this migration
            // are not known any more: start past every message id, which is
            // at least as large as any outbox id ever used.
            try db.execute(sql: """
                DELETE FROM sqlite_sequence WHERE name = 'outbox';
                INSERT INTO sqlite_sequence(name, seq)
                SELECT 'outbox', max(coalesce((SELECT max(id) FROM messages), 0), coalesce((SELECT max(id) FROM outbox), 0))
                """)
        }
        migrator.registerMigration("v3-sends-kept-by-their-message") { db in
            // A send handed straight to its connector's lane has no outbox
            // row: its message row keeps its content in `outgoing` until the
            // connector answers, and is found there after a crash
            // (`requeueUnsettledSends`). Saving the outbox row's insert and
            // delete is most of what a reply costs the writer. Keys are kept
            // per row now, because such a send keeps its key when a retry
            // moves it into the outbox; rows from before keep `outbox-<id>`.
            try db.execute(sql: """
                ALTER TABLE messages ADD COLUMN outgoing TEXT;
                CREATE INDEX messages_outgoing ON messages(id) WHERE outgoing IS NOT NULL;
                ALTER TABLE outbox ADD COLUMN idempotency_key TEXT;
                UPDATE outbox SET idempotency_key = 'outbox-' || id;
                """)
        }
        return migrator
    }
}
