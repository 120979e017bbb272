// NftablesJSONTests: placeholder while the suite is written.
