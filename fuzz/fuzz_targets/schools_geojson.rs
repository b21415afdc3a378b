//! Fuzz the schools GeoJSON reader: any bytes give Ok or a clear error (whose
//! message is formatted too), never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = catchment::io::schools::schools_from_bytes(data, "schools.geojson") {
        let _ = e.to_string();
    }
});
