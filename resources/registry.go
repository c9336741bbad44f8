package resources

// All returns every resource and template in a fixed order.
func All(d Deps) []Def {
	defs := []Def{
		flowIndex(d),
		flowDefinition(d),
		flowDocumentation(d),
		runStatus(d),
		runLog(d),
		connection(d),
		schedules(d),
		instance(d),
	}
	for i := range defs {
		defs[i].Handler = redacting(d.Redactor, defs[i].Handler)
	}
	return defs
}
