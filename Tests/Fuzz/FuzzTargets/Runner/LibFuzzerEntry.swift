#if CRM_LIBFUZZER
import Foundation

/// libFuzzer's side of a target: its bytes run by `FuzzTarget.run`, its
/// mutations by `FuzzTarget.mutate` (so coverage guides structure-aware
/// changes), its seeds written as the starting corpus. Compiled only in a
/// `-sanitize=fuzzer` build (`bin/fuzz --libfuzzer`), where libFuzzer's
/// `main` calls these entry points.
public enum LibFuzzerEntry {
    nonisolated(unsafe) static var target: (any FuzzTarget)?
}

/// Picks the target `CRM_FUZZ_TARGET` names and writes its seeds into the
/// corpus folder (the first argument that is not an option).
@_cdecl("LLVMFuzzerInitialize")
public func LLVMFuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    do { LibFuzzerEntry.target = try FuzzTargets.make(ProcessInfo.processInfo.environment["CRM_FUZZ_TARGET"] ?? "") } catch {
        FileHandle.standardError.write(Data("CRM_FUZZ_TARGET: \(error)\n".utf8))
        exit(2)
    }
    let arguments = CommandLine.arguments.dropFirst()
    if let corpus = arguments.first(where: { !$0.hasPrefix("-") }) {
        try? FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        for (index, seed) in (LibFuzzerEntry.target?.seeds ?? []).enumerated() {
            FileManager.default.createFile(atPath: "\(corpus)/seed-\(index)", contents: Data(seed))
        }
    }
    return 0
}

/// One input: an invariant broken aborts, so libFuzzer saves the input as a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
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
