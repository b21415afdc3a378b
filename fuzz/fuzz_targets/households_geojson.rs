//! Fuzz the households GeoJSON reader: any bytes give Ok or a clear error
//! (whose message is formatted too), never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let latest_birth = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("a date");
    if let Err(e) = catchment::io::households::households_geojson_from_bytes(
        data,
        "households.geojson",
        latest_birth,
    ) {
        let _ = e.to_string();
    }
});
