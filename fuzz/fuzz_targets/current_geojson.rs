//! Fuzz the current-catchments GeoJSON reader: any bytes give Ok or a clear
//! error (whose message is formatted too), never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = catchment::io::current::current_from_bytes(data, "current.geojson") {
        let _ = e.to_string();
    }
});
