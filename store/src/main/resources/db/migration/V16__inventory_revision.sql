-- The revision each object had right after the control plane last applied it. A resync that finds an object at
-- that revision and changes it is rolling out a change of the desired state (a renewed certificate, an edited
-- registration): "updated". Only an object found at another revision was changed on the member cluster and is
-- "reverted". Null until the next apply of the object.
ALTER TABLE infra_inventory ADD COLUMN revision text;
