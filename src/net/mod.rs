//! Set algebra and packet-path evaluation: CIDR and port sets, NACL first match, routing.

pub mod nacl;
pub mod reach;
pub mod route;
pub mod sets;
