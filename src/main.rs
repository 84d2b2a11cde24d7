fn main() {
    std::process::exit(sgcheck::cli::run());
}
