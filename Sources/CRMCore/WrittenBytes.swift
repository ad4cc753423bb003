/// Bytes appended into one growing allocation, for `JSONWriter`.
///
/// An inbox page is some 20 KB written in a couple of thousand small
/// appends; through `[UInt8]` each append paid for a uniqueness check and
/// its bookkeeping, a third of the writer's time. Owned by exactly one
/// writer (it cannot be copied), the buffer needs neither.
///
/// Its appends are inlinable: called a couple of thousand times a page from
/// other modules, each was a call that could not be folded into its caller.
public struct WrittenBytes: ~Copyable {
    @usableFromInline var start: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var written = 0
    public var count: Int { written }

    /// Whether `start` is memory lent by the caller (see `init(borrowing:)`).
    @usableFromInline var borrowed = false

    public init(capacity: Int) {
        self.capacity = max(capacity, 16)
        start = .allocate(capacity: self.capacity)
    }

    /// Writes into `region`, memory the caller owns (the free space of a
    /// response's buffer), while the bytes fit; past its end they move to an
    /// allocation of their own. An answer that fits is written once, in
    /// place, instead of being built here and copied into the response.
    public init(borrowing region: UnsafeMutableRawBufferPointer) {
        if let base = region.baseAddress, region.count >= 16 {
            start = base.bindMemory(to: UInt8.self, capacity: region.count)
            capacity = region.count
            borrowed = true
        } else {
            capacity = 16
            start = .allocate(capacity: capacity)
        }
    }

    deinit { if !borrowed { start.deallocate() } }

    /// Whether every byte so far is in the region given to `init(borrowing:)`.
    public var isInBorrowedRegion: Bool { borrowed }

    @inlinable
    public mutating func append(_ byte: UInt8) {
        reserve(1)
        start[written] = byte
        written += 1
    }

    @inlinable
    public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (start + written).initialize(from: source, count: bytes.count)
        written += bytes.count
    }

    /// The bytes so far, lent without a copy.
    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: start, count: count))
    }

    /// Room for `extra` more bytes, doubling the allocation when it is full.
    @inlinable
    mutating func reserve(_ extra: Int) {
        guard written + extra > capacity else { return }
        grow(extra)
    }

    /// Out of line: taken once or twice a page at most.
    @usableFromInline
    mutating func grow(_ extra: Int) {
        let grown = max(capacity * 2, written + extra)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        moved.initialize(from: start, count: written)
        if !borrowed { start.deallocate() }
        borrowed = false
        start = moved
        capacity = grown
    }
}
