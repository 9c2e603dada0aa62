"""Grade a submission (a package folder or UTID.zip) the way it will be judged."""
