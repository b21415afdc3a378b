//! Zone polygons: Voronoi cells clipped and dissolved (filled in next).
