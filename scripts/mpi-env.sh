# Sourced by the scripts and tests that run MPI on this one machine (not by jobs/: on a cluster the
# site's Open MPI configuration decides).
# As root, Open MPI refuses to start unless told (CI runs as root).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# One machine: shared memory is the only transport, so skip probing network fabrics (UCX,
# libfabric), which costs about 0.2 s per mpirun here. A value already in the environment wins.
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
