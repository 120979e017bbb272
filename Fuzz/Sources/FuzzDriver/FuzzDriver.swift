#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's own entry point for programs that keep their `main` (see `Fuzz/README.md`): it parses
/// libFuzzer's flags from `argv` and calls `callback` once per input. Provided by
/// `libclang_rt.fuzzer`, which `-sanitize=fuzzer` links in.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The body of the running fuzz target; a C callback cannot capture it, so it lives here.
/// Written once before libFuzzer starts, then only read on libFuzzer's single fuzzing thread.
nonisolated(unsafe) private var currentBody: ((UnsafeRawBufferPointer) -> Void)?

/// Runs a fuzz target under libFuzzer.
///
/// Every target is an `executableTarget` whose top-level code calls `Fuzzer.run`. SwiftPM renames
/// an executable's `main` (it links with `--defsym main=<target>_main`), which collides with the
/// `main` that libFuzzer would bring; so instead of defining `LLVMFuzzerTestOneInput` we keep
/// SwiftPM's `main` and hand control to libFuzzer through `LLVMFuzzerRunDriver`.
public enum Fuzzer {
    /// Fuzzes `body` with libFuzzer's command line (`-runs`, `-max_total_time`, corpus dirs, …) and
    /// exits with libFuzzer's status. A trap in `body` (fatalError, index out of range, overflow)
    /// is a crash: libFuzzer's deadly-signal handler writes the input to `crash-*`.
    public static func run(_ body: @escaping (UnsafeRawBufferPointer) -> Void) -> Never {
        currentBody = body
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            currentBody?(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }
        exit(status)
    }

    /// Fuzzes a loader that takes text. Bytes that are not UTF-8 become U+FFFD, so every byte
    /// string reaches the loader as some `String` (the CLI rejects such files earlier, but the
    /// loaders' public APIs accept any `String`, so they must survive any).
    public static func runText(_ body: @escaping (String) -> Void) -> Never {
        run { bytes in body(String(decoding: bytes, as: UTF8.self)) }
    }
}
