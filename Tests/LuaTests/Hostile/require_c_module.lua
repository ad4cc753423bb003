-- kind: runtime
-- message: module 'socket.core' not found in hostile/ or _shared/
return require("socket.core") --< here
