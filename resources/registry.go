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
		schedules(d),
	}
	for i := range defs {
		defs[i].Handler = bounded(defs[i], d.CallTimeout)
	}
	return defs
}
