package resources

// All returns every resource and template in a fixed order, each read bounded in time
// (d.CallTimeout) and size (bound.ResultBytes), with text from Etlworks fenced as data.
func All(d Deps) []Def {
	defs := []Def{
		flowIndex(d),
		flowDefinition(d),
		flowDocumentation(d),
		runStatus(d),
		runLog(d),
		connection(d),
		tableRowsDef(d),
		schedules(d),
		instance(d),
	}
	for i := range defs {
		// Redacted first, then bounded: a cut must never keep half of a secret that redaction by
		// value would then miss.
		defs[i].Handler = redacting(d.Redactor, defs[i].Handler)
		defs[i].Handler = bounded(defs[i], d.CallTimeout)
	}
	return defs
}
