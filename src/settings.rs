//! Run settings: CLI options merged with `.sgcheck.toml`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::finding::Severity;

/// Everything that changes what a run reads or reports.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Glob patterns (gitignore-style, matched against paths relative to each walked root) to leave out.
    pub exclude: Vec<String>,
    /// Files larger than this many bytes are not read.
    pub max_file_size: u64,
    /// Files that cannot be read (over the size limit, not a regular file, unreadable) are
    /// listed in `skipped` instead of failing the run.
    pub skip_unreadable: bool,
    /// `--root`: the analysed tree, instead of each scanned path's git work tree.
    pub root: Option<PathBuf>,
    /// Honour the repository's `.gitignore` files and `.git/info/exclude` (off: `--no-ignore`).
    pub ignore_files: bool,
    /// Terraform `--var NAME=VALUE`, in command-line order.
    pub vars: Vec<(String, String)>,
    /// Terraform `--var-file`, in command-line order.
    pub var_files: Vec<PathBuf>,
    /// CloudFormation parameter values (`--parameter`, `--parameters FILE`).
    pub parameters: BTreeMap<String, String>,
    /// Client source ports assumed for NACL return traffic (inclusive).
    pub ephemeral_ports: (u16, u16),
    /// Ports that make an open ingress SG001.
    pub admin_ports: Vec<(u16, u16)>,
    /// Ports that make an open ingress SG003.
    pub data_ports: Vec<(u16, u16)>,
    /// Sources that never count as the internet.
    pub trusted_cidrs: Vec<ipnet::IpNet>,
    /// Rules switched off.
    pub disabled_rules: Vec<String>,
    /// Severity overrides by rule id.
    pub severity_overrides: BTreeMap<String, Severity>,
}

/// Remote-administration ports (SG001).
pub const ADMIN_PORTS: &[(u16, u16)] =
    &[(22, 22), (23, 23), (3389, 3389), (5900, 5900), (5985, 5986)];

/// Database, cache, queue and admin-service ports (SG003).
pub const DATA_PORTS: &[(u16, u16)] = &[
    (20, 21),
    (135, 139),
    (161, 161),
    (445, 445),
    (1433, 1433),
    (1521, 1521),
    (2181, 2181),
    (2375, 2376),
    (3306, 3306),
    (5432, 5432),
    (5601, 5601),
    (5984, 5984),
    (6379, 6379),
    (7000, 7001),
    (8020, 8020),
    (9042, 9042),
    (9092, 9092),
    (9200, 9200),
    (9300, 9300),
    (11211, 11211),
    (27017, 27017),
    (50070, 50070),
];

impl Default for Settings {
    fn default() -> Self {
        Settings {
            exclude: Vec::new(),
            max_file_size: 10 * 1024 * 1024,
            skip_unreadable: false,
            root: None,
            ignore_files: true,
            vars: Vec::new(),
            var_files: Vec::new(),
            parameters: BTreeMap::new(),
            ephemeral_ports: (1024, 65535),
            admin_ports: ADMIN_PORTS.to_vec(),
            data_ports: DATA_PORTS.to_vec(),
            trusted_cidrs: Vec::new(),
            disabled_rules: Vec::new(),
            severity_overrides: BTreeMap::new(),
        }
    }
}
