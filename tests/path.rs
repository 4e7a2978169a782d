//! Integration tests for `obox-cli path`.
#[allow(unused_imports)]
use crate::support::*;
