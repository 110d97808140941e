/// mimalloc instead of the system allocator: parsing, checking and emitting
/// allocate millions of small strings, vectors and map entries, where glibc
/// malloc spent a third of a CloudFormation build (callgrind, 1,000 services).
/// The `system-alloc` feature keeps the system allocator, for heap profilers
/// that trace malloc (heaptrack).
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    #[cfg(not(feature = "system-alloc"))]
    {
        // mimalloc's `mi_option_purge_delay` (15 in its v2 and v3 headers,
        // between the crate's `mi_option_eager_commit_delay` and
        // `mi_option_use_numa_nodes`): freed pages go back to the system
        // after 1 ms instead of 10. A build frees as it goes (each
        // declaration's tree, each stack's values once written); at 10,000
        // services this lowers the CloudFormation build's peak by about
        // 8 MiB at no measurable cost in time (bench/whole-process.sh).
        const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
        // SAFETY: sets an option before any thread is started; it takes
        // no pointer.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 1) };
    }
    wharf::cli::main()
}
