//! Fuzz the household table reader on XLSX workbooks: any bytes give Ok or a
//! clear error (whose message is formatted too), never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let latest_birth = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("a date");
    if let Err(e) = catchment::io::households::household_table_from_bytes(
        data,
        "households.xlsx",
        catchment::io::households::TableKind::Xlsx,
        latest_birth,
    )
    .result
    {
        let _ = e.to_string();
    }
});
