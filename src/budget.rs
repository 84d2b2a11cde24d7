//! One resource budget for evaluating one Terraform root module or one CloudFormation
//! template: evaluation steps, and bytes of the values created (an approximation of their heap
//! cost: a fixed cost per node plus the bytes of strings, map keys and provenance).
//!
//! Charges only grow (freed values are not refunded), so what an evaluation holds at any time
//! is at most what it was charged. Memory of a run is bounded by construction:
//! - one evaluation is charged at most [`BYTES`];
//! - evaluations run in parallel, one per thread, but only one at a time may grow past
//!   [`SHARED_BYTES`] (the others wait at a process-wide gate until it ends): all threads
//!   together hold at most `(threads - 1) × SHARED_BYTES + BYTES` of values, however many
//!   threads there are;
//! - what an evaluation keeps after it ends (its resources) is part of what it was charged,
//!   and an evaluation that runs out keeps nothing.
//!
//! The gate only delays; it never changes a result, so output stays deterministic. It cannot
//! deadlock: its holder never waits for another evaluation (evaluation runs no parallel jobs),
//! and a second budget on the thread that holds it does not wait for it.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::sync::{Mutex, MutexGuard};

use crate::ir::{Origin, Val, Value};

/// Bytes of values one evaluation may create.
pub const BYTES: u64 = 128 << 20;
/// Bytes an evaluation may create before it must hold the gate for large evaluations.
pub const SHARED_BYTES: u64 = 16 << 20;

/// Heap cost of a value node (a list element, a map value, a scalar).
pub const NODE: u64 = std::mem::size_of::<Val>() as u64;
/// Heap cost of one provenance step.
pub const ORIGIN: u64 = std::mem::size_of::<Origin>() as u64;
/// Heap cost of one map entry, besides its key's bytes and its value's payload.
pub const ENTRY: u64 = (std::mem::size_of::<String>() + std::mem::size_of::<Val>()) as u64;
/// Reason of the values a spent budget leaves unevaluated.
pub const SPENT: &str = "evaluation budget exceeded";
/// Longest name (of what was being evaluated) an error message shows, in characters.
const MAX_NAME: usize = 200;

/// Entries a B-tree node holds: even a one-entry map allocates a whole node.
const BTREE_NODE_ENTRIES: u64 = 11;

/// Heap cost of the nodes of a map with `n` entries (keys' bytes and values' payloads apart).
pub const fn map_bytes(n: usize) -> u64 {
    let n = n as u64;
    if n > BTREE_NODE_ENTRIES {
        n * ENTRY
    } else {
        BTREE_NODE_ENTRIES * ENTRY
    }
}

/// The resource that ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spent {
    Steps(u64),
    Bytes(u64),
}

impl fmt::Display for Spent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Spent::Steps(n) => write!(f, "{SPENT} ({n} steps)"),
            Spent::Bytes(n) => write!(f, "{SPENT} ({} MB of values)", n >> 20),
        }
    }
}

/// A refused charge: what ran out, and whether this is the first refusal (to report once).
#[derive(Clone, Copy, Debug)]
pub struct Exceeded {
    pub spent: Spent,
    pub first: bool,
}

/// The budget of one evaluation (single-threaded).
pub struct Budget {
    max_steps: u64,
    steps: Cell<u64>,
    bytes: Cell<u64>,
    spent: Cell<Option<Spent>>,
    /// Held once the evaluation has grown past [`SHARED_BYTES`].
    large: RefCell<Option<MutexGuard<'static, ()>>>,
}

/// Admits one large evaluation at a time (see the module documentation): a mutex held by
/// the budget of that evaluation until it is dropped.
static LARGE: Mutex<()> = Mutex::new(());

thread_local! {
    /// True while a budget of this thread holds [`LARGE`].
    static HOLDS_LARGE: Cell<bool> = const { Cell::new(false) };
}

impl Drop for Budget {
    fn drop(&mut self) {
        if self.large.get_mut().take().is_some() {
            HOLDS_LARGE.set(false);
        }
    }
}

impl Budget {
    /// A budget of `max_steps` steps and [`BYTES`] bytes.
    pub fn new(max_steps: u64) -> Self {
        Budget {
            max_steps,
            steps: Cell::new(0),
            bytes: Cell::new(0),
            spent: Cell::new(None),
            large: RefCell::new(None),
        }
    }

    /// Counts `n` steps.
    pub fn steps(&self, n: u64) -> Result<(), Exceeded> {
        self.ok()?;
        let after = self.steps.get().saturating_add(n);
        self.steps.set(after);
        if after >= self.max_steps {
            return Err(self.exhaust(Spent::Steps(self.max_steps)));
        }
        Ok(())
    }

    /// Charges `n` bytes of created values.
    pub fn take(&self, n: u64) -> Result<(), Exceeded> {
        self.check(n)?;
        let after = self.bytes.get() + n;
        self.bytes.set(after);
        if after > SHARED_BYTES && self.large.borrow().is_none() && !HOLDS_LARGE.get() {
            *self.large.borrow_mut() = Some(LARGE.lock().unwrap_or_else(|e| e.into_inner()));
            HOLDS_LARGE.set(true);
        }
        Ok(())
    }

    /// Refuses (and ends the budget) when `n` more bytes would not fit: called before building
    /// a value whose size is known in advance, so that nothing is allocated past the budget.
    pub fn check(&self, n: u64) -> Result<(), Exceeded> {
        self.ok()?;
        if n > self.bytes_left() {
            return Err(self.exhaust(Spent::Bytes(BYTES)));
        }
        Ok(())
    }

    /// Charges the size of `v` (see [`size`]), checked before the value is copied.
    pub fn take_size(&self, v: &Val) -> Result<(), Exceeded> {
        self.ok()?;
        self.take(size(v, self.bytes_left()))
    }

    /// Bytes that may still be created.
    pub fn bytes_left(&self) -> u64 {
        BYTES.saturating_sub(self.bytes.get())
    }

    /// Steps that may still be taken.
    pub fn steps_left(&self) -> u64 {
        self.max_steps.saturating_sub(self.steps.get())
    }

    /// True once a charge was refused.
    pub fn is_spent(&self) -> bool {
        self.spent.get().is_some()
    }

    fn ok(&self) -> Result<(), Exceeded> {
        match self.spent.get() {
            Some(spent) => Err(Exceeded {
                spent,
                first: false,
            }),
            None => Ok(()),
        }
    }

    fn exhaust(&self, spent: Spent) -> Exceeded {
        self.spent.set(Some(spent));
        Exceeded { spent, first: true }
    }
}

/// `name` as an error message shows it: control characters escaped, cut to [`MAX_NAME`]
/// characters (names may hold map keys of any content).
pub fn display_name(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if i == MAX_NAME {
            out.push('…');
            break;
        }
        match c.is_control() {
            true => out.extend(c.escape_default()),
            false => out.push(c),
        }
    }
    out
}

/// The cost of copying a value: its nodes and its bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Size {
    pub nodes: u64,
    pub bytes: u64,
}

/// The approximate heap cost of `v`: [`NODE`] per node, its provenance, the bytes of its
/// strings and map keys, and what its references and unknowns hold. The walk stops once
/// `max_nodes` nodes or `max_bytes` bytes are passed (the result is then past that limit).
pub fn measure(v: &Val, max_nodes: u64, max_bytes: u64) -> Size {
    let mut stack = vec![v];
    let mut size = Size::default();
    while let Some(x) = stack.pop() {
        if size.nodes >= max_nodes || size.bytes > max_bytes {
            break;
        }
        size.nodes += 1;
        size.bytes += NODE + x.origins.len() as u64 * ORIGIN;
        size.bytes += match &x.value {
            Value::String(s) => s.len() as u64,
            Value::List(items) => {
                stack.extend(items);
                0
            }
            Value::Map(entries) => {
                stack.extend(entries.values());
                map_bytes(entries.len()) + entries.keys().map(|k| k.len() as u64).sum::<u64>()
            }
            Value::Ref(r) => (r.key.len() + r.attr.len()) as u64,
            Value::Unknown(u) => {
                stack.extend(&u.candidates);
                u.reason.len() as u64
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => 0,
        };
    }
    size
}

/// The approximate heap cost of `v` in bytes, counted up to a little past `max`.
pub fn size(v: &Val, max: u64) -> u64 {
    measure(v, u64::MAX, max).bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn sizes_count_nodes_strings_keys_and_provenance() {
        let s = |x: &str| Val::new(Value::String(x.into()), Span::default());
        assert_eq!(size(&s("abcd"), u64::MAX), NODE + 4);
        let list = Val::new(Value::List(vec![s("ab"), s("cd")]), Span::default());
        assert_eq!(size(&list, u64::MAX), 3 * NODE + 4);
        let map = Val::new(
            Value::Map([("key".to_string(), s("v"))].into_iter().collect()),
            Span::default(),
        );
        assert_eq!(size(&map, u64::MAX), 2 * NODE + map_bytes(1) + 3 + 1);
        let traced = s("").with_origin(Span::default(), "from here");
        assert_eq!(size(&traced, u64::MAX), NODE + ORIGIN);
        // the walk stops past the limit
        let long = Val::new(Value::List(vec![s("x"); 1000]), Span::default());
        assert!(size(&long, 100) < 10 * (NODE + 1));
        assert_eq!(measure(&long, 10, u64::MAX).nodes, 10);
    }

    #[test]
    fn a_refused_charge_ends_the_budget_and_is_reported_once() {
        let b = Budget::new(10);
        assert!(b.take(BYTES / 2).is_ok());
        let first = b.check(BYTES).unwrap_err();
        assert!(first.first);
        assert_eq!(first.spent, Spent::Bytes(BYTES));
        let again = b.take(1).unwrap_err();
        assert!(!again.first);
        assert!(b.is_spent());
        assert_eq!(
            first.spent.to_string(),
            "evaluation budget exceeded (128 MB of values)"
        );
        let b = Budget::new(10);
        assert!(b.steps(9).is_ok());
        assert_eq!(b.steps(1).unwrap_err().spent, Spent::Steps(10));
    }

    #[test]
    fn a_second_large_budget_on_the_same_thread_does_not_wait() {
        let first = Budget::new(10);
        let second = Budget::new(10);
        assert!(first.take(SHARED_BYTES + 1).is_ok());
        assert!(second.take(SHARED_BYTES + 1).is_ok());
        drop(first);
        // the gate is free again: another thread's large budget goes on
        let other = std::thread::spawn(|| Budget::new(10).take(SHARED_BYTES + 1).is_ok());
        assert!(other.join().unwrap());
    }

    #[test]
    fn names_are_shown_without_control_characters() {
        assert_eq!(
            display_name("module.m[\"a\u{1b}b\"]"),
            "module.m[\"a\\u{1b}b\"]"
        );
        assert_eq!(display_name(&"x".repeat(500)).chars().count(), MAX_NAME + 1);
    }
}
