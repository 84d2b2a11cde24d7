//! Set algebra and packet-path evaluation: CIDR and port sets, NACL first match, routing.

pub mod sets;
