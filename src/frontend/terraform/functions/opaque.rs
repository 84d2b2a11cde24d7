//! Functions whose result is not evaluated before apply: time, randomness, hashes and
//! cryptography, file contents, and provider-defined functions.

/// Why `name(...)` is unknown, when it is one of these functions.
pub(super) fn reason(name: &str) -> Option<String> {
    let why = match name {
        "timestamp" | "uuid" | "bcrypt" => "is known only at apply",
        "plantimestamp" => "is known only at plan",
        "file" | "fileexists" | "fileset" | "filebase64" | "templatefile" | "filemd5"
        | "filesha1" | "filesha256" | "filesha512" | "filebase64sha256" | "filebase64sha512" => {
            "reads files, which are not evaluated"
        }
        "md5" | "sha1" | "sha256" | "sha512" | "base64sha256" | "base64sha512" | "uuidv5"
        | "base64gzip" | "rsadecrypt" | "textencodebase64" | "textdecodebase64" | "yamlencode"
        | "yamldecode" | "formatdate" | "timeadd" | "timecmp" | "templatestring"
        | "issensitive" => "is not evaluated",
        _ if name.starts_with("provider::") => "is a provider function, which is not evaluated",
        _ => return None,
    };
    Some(format!("{name}() {why}"))
}
