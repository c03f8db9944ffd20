//! The zongzhi binary.
fn main() {}
