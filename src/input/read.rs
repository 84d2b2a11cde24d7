//! The one reader for every file sgcheck opens: scanned files, child-module files, `file()`
//! targets, configuration, variable, parameter and baseline files.
//!
//! The file is opened without blocking (a FIFO or a device never stalls the run), its open
//! handle must be a regular file, and at most `limit + 1` bytes are read: procfs files report
//! a size of 0 and `/dev/zero` never ends, so the reported size is only a hint.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::Path;

/// Why a file's text could not be had.
#[derive(Debug)]
pub enum ReadError {
    /// Opening or reading failed.
    Io(std::io::Error),
    /// The path is not a regular file (a directory, FIFO, device or socket).
    NotRegular(&'static str),
    /// The file holds more than `limit` bytes (`size`: what the file system reports, when
    /// that is over the limit too).
    TooLarge { limit: u64, size: Option<u64> },
    /// The bytes are not UTF-8: the text with replacement characters, and the offset of the
    /// first invalid byte.
    NotUtf8 { lossy: String, offset: usize },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read: {e}"),
            ReadError::NotRegular(kind) => write!(f, "{kind}, not a regular file"),
            ReadError::TooLarge {
                limit,
                size: Some(size),
            } => write!(f, "file is {size} bytes, over the {limit} byte limit"),
            ReadError::TooLarge { limit, size: None } => {
                write!(f, "file holds more than the {limit} byte limit")
            }
            ReadError::NotUtf8 { .. } => f.write_str("file is not valid UTF-8"),
        }
    }
}

/// Reads the text of the regular file at `path`, at most `limit` bytes of it. With
/// `follow = false` a symbolic link as the last component is refused (the caller resolved
/// the path itself and checked where it leads).
pub fn read_text(path: &Path, limit: u64, follow: bool) -> Result<String, ReadError> {
    let mut file = open(path, follow).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(&meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            limit,
            size: Some(meta.len()),
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    (&mut file)
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit, size: None });
    }
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
        lossy: String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Opens for reading without blocking on FIFOs and devices and without becoming the
/// process's controlling terminal.
#[cfg(unix)]
fn open(path: &Path, follow: bool) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
    if !follow {
        flags |= libc::O_NOFOLLOW;
    }
    OpenOptions::new().read(true).custom_flags(flags).open(path)
}

/// Elsewhere the type is checked before opening (no FIFOs to block on).
#[cfg(not(unix))]
fn open(path: &Path, follow: bool) -> std::io::Result<File> {
    let meta = if follow {
        std::fs::metadata(path)?
    } else {
        std::fs::symlink_metadata(path)?
    };
    if !meta.is_file() {
        return Err(std::io::Error::other(format!(
            "{}, not a regular file",
            kind(&meta.file_type())
        )));
    }
    OpenOptions::new().read(true).open(path)
}

/// What kind of file system object a non-regular file is, for messages.
pub fn kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.tf");
        std::fs::write(&p, "abc").unwrap();
        assert_eq!(read_text(&p, 3, true).unwrap(), "abc");
        let err = read_text(&p, 2, true).unwrap_err();
        assert_eq!(err.to_string(), "file is 3 bytes, over the 2 byte limit");
    }

    #[test]
    fn reports_the_first_invalid_byte() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.tf");
        std::fs::write(&p, b"ab\xffc").unwrap();
        match read_text(&p, 100, true) {
            Err(ReadError::NotUtf8 { offset, lossy }) => {
                assert_eq!(offset, 2);
                assert_eq!(lossy, "ab\u{fffd}c");
            }
            other => panic!("{other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn refuses_what_is_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_text(dir.path(), 100, true).unwrap_err();
        assert_eq!(err.to_string(), "a directory, not a regular file");
        let err = read_text(Path::new("/dev/zero"), 100, true).unwrap_err();
        assert_eq!(err.to_string(), "a character device, not a regular file");
        let fifo = dir.path().join("fifo.tf");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = read_text(&fifo, 100, true).unwrap_err();
        assert_eq!(err.to_string(), "a FIFO, not a regular file");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn reads_no_further_than_the_limit_whatever_the_reported_size() {
        // procfs reports a size of 0
        match read_text(Path::new("/proc/self/maps"), 10, true) {
            Err(ReadError::TooLarge {
                limit: 10,
                size: None,
            }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_final_symlink_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t.tf");
        std::fs::write(&target, "x").unwrap();
        let link = dir.path().join("l.tf");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(read_text(&link, 10, true).unwrap(), "x");
        assert!(matches!(read_text(&link, 10, false), Err(ReadError::Io(_))));
    }
}
