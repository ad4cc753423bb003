import GRDBSQLite

/// A value `DirectStatement` binds as a parameter, straight into SQLite.
protocol DirectArgument {
    func bind(to statement: OpaquePointer, at index: Int32)
}

/// SQLite copies text when it binds it, so the Swift string need not outlive the call.
private let copiedBySQLite = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension String: DirectArgument {
    func bind(to statement: OpaquePointer, at index: Int32) {
        var text = self
        text.withUTF8 { bytes in
            // An empty buffer may have no address, which SQLite would bind as NULL.
            guard let start = bytes.baseAddress else {
                sqlite3_bind_text(statement, index, "", 0, copiedBySQLite)
                return
            }
            start.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
                _ = sqlite3_bind_text(statement, index, chars, Int32(bytes.count), copiedBySQLite)
            }
        }
    }
}

extension Int64: DirectArgument {
    func bind(to statement: OpaquePointer, at index: Int32) { sqlite3_bind_int64(statement, index, self) }
}

extension Double: DirectArgument {
    func bind(to statement: OpaquePointer, at index: Int32) { sqlite3_bind_double(statement, index, self) }
}

extension Bool: DirectArgument {
    func bind(to statement: OpaquePointer, at index: Int32) { sqlite3_bind_int64(statement, index, self ? 1 : 0) }
}

extension Optional: DirectArgument where Wrapped: DirectArgument {
    func bind(to statement: OpaquePointer, at index: Int32) {
        guard let self else { sqlite3_bind_null(statement, index); return }
        self.bind(to: statement, at: index)
    }
}
