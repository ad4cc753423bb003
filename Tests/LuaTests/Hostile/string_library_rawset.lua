-- kind: runtime
-- message: attempt to modify a read-only table with rawset
rawset(string, "lower", function() return "pwned" end) --< here
