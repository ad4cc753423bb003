// CRMSessions
