//! Integration tests for `obox-cli chain`.
#[allow(unused_imports)]
use crate::support::*;
