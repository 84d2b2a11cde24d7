//! Frontends: Terraform and CloudFormation source lowered to [`crate::ir`] resources.

pub mod cloudformation;
pub mod terraform;
pub mod tree;
