/// mimalloc instead of the system allocator: parsing, checking and emitting
/// allocate millions of small strings, vectors and map entries, where glibc
/// malloc spent a third of a CloudFormation build (callgrind, 1,000 services).
/// The `system-alloc` feature keeps the system allocator, for heap profilers
/// that trace malloc (heaptrack).
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    wharf::cli::main()
}
