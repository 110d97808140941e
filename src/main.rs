/// mimalloc instead of the system allocator: parsing, checking and emitting
/// allocate millions of small strings, vectors and map entries, where glibc
/// malloc spent a third of a CloudFormation build (callgrind, 1,000 services).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    wharf::cli::main()
}
