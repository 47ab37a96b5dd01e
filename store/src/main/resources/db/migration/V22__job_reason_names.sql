-- Job reasons became a closed set (JobReason): the one name older versions wrote that it no longer has.
UPDATE infra_jobs SET reason = 'RegistrationGone' WHERE reason = 'ClusterGone';
