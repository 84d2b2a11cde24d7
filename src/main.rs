// The pipeline allocates many small values (parse trees, attribute maps); mimalloc handles
// that load markedly faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(sgcheck::cli::run());
}
