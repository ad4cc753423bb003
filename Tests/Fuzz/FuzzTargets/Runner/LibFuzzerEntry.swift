#if CRM_LIBFUZZER
import Foundation

/// libFuzzer's side of a target: its bytes run by `FuzzTarget.run`, its
/// mutations by `FuzzTarget.mutate` (so coverage guides structure-aware
/// changes), its seeds written as the starting corpus. Only linked into
/// anything in a `-sanitize=fuzzer` build (`bin/fuzz --libfuzzer`).
public enum LibFuzzerEntry {
    nonisolated(unsafe) static var target: (any FuzzTarget)?

    /// Starts libFuzzer's driver with this process's arguments.
    public static func run(targetName: String) -> Never {
        do { target = try FuzzTargets.make(targetName) } catch {
            FileHandle.standardError.write(Data("CRM_FUZZ_TARGET: \(error)\n".utf8))
            exit(2)
        }
        var arguments = CommandLine.arguments
        if let corpus = arguments.dropFirst().first(where: { !$0.hasPrefix("-") }) { writeSeeds(into: corpus) }
        var argc = Int32(arguments.count)
        let argv = arguments.indices.map { strdup(arguments[$0]) }
        var pointers = argv + [nil]
        let status = pointers.withUnsafeMutableBufferPointer { buffer in
            var base = buffer.baseAddress
            return LLVMFuzzerRunDriver(&argc, &base, testOneInput)
        }
        arguments.removeAll()
        exit(status)
    }

    private static func writeSeeds(into corpus: String) {
        try? FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        for (index, seed) in (target?.seeds ?? []).enumerated() {
            FileManager.default.createFile(atPath: "\(corpus)/seed-\(index)", contents: Data(seed))
        }
    }
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

private let testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32 = { data, size in
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do { _ = try LibFuzzerEntry.target?.run(input) } catch {
        FileHandle.standardError.write(Data("\(LibFuzzerEntry.target?.name ?? "?"): \(error)\n".utf8))
        abort()
    }
    return 0
}

/// libFuzzer asks for a mutation of `size` bytes at `data`, in place, at most `maxSize` long.
@_cdecl("LLVMFuzzerCustomMutator")
public func LLVMFuzzerCustomMutator(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    guard let target = LibFuzzerEntry.target else { return size }
    var random = FuzzRandom(seed: UInt64(seed))
    let mutated = Array(target.mutate(Array(UnsafeBufferPointer(start: data, count: size)), using: &random).prefix(maxSize))
    for (index, byte) in mutated.enumerated() { data[index] = byte }
    return mutated.count
}
#endif
