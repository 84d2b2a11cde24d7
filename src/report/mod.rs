//! Output formats for a [`crate::Report`].
