//! Integration tests for `obox-cli objects`.
#[allow(unused_imports)]
use crate::support::*;
