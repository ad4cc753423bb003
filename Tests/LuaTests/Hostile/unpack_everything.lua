-- expect: runtime
-- message: too many results to unpack
-- line: 4
return table.unpack({}, 1, 1e8)
