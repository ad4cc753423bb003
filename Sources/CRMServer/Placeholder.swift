// CRMServer
