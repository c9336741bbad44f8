package resources

// All returns every resource and template in a fixed order.
func All(d Deps) []Def {
	return []Def{
		flowIndex(d),
		flowDefinition(d),
		flowDocumentation(d),
		runStatus(d),
		runLog(d),
		connection(d),
		schedules(d),
		instance(d),
	}
}
