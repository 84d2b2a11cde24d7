//! How sgcheck touches the file system. Every scanned file is written by whoever opened the
//! pull request, so every read goes through here:
//! - [`root`]: the analysed tree (the git work tree of a scanned path, else the path itself, or
//!   `--root`), the only place files may be read from on behalf of scanned content;
//! - [`read`]: the one reader, which refuses anything that is not a regular file and never
//!   reads past its limit, whatever size the file system reports.

pub mod read;
pub mod root;

pub use read::{read_text, ReadError};
pub use root::{Admission, Confinement};
