-- kind: runtime
-- message: require: invalid module name '../../etc/passwd'
return require("../../etc/passwd") --< here
