"""A client of LoRA-Curve from another language: stubs generated from proto/, TLS, a bearer token.

It lists the team's experiments through the gateway, asks the eval stage's PredictionService for
per-input predictions of a finished experiment and prints each item's choice and mutual
information, then sends a request with a bad field and decodes the rich error details
(google.rpc.BadRequest) the services attach.

    python3 client.py --gateway HOST:PORT --eval HOST:PORT --ca CA.crt --token JWT --experiment ID \
        --items items.jsonl [--method curve] [--stubs DIR]

On a cluster --gateway and --eval are the same public address: its route sends each service where
it is served. Stubs: python3 -m grpc_tools.protoc -I ../../proto/src/main/proto --python_out=DIR
--grpc_python_out=DIR loracurve/v1/*.proto (client.py does this into --stubs when they are missing).
"""

import argparse
import json
import os
import pathlib
import sys

import grpc

HERE = pathlib.Path(__file__).resolve().parent
PROTO = HERE.parent.parent / "proto" / "src" / "main" / "proto"


def stubs(out):
    """Generates the Python stubs of loracurve.v1 into out (once) and puts them on the path."""
    out = pathlib.Path(out)
    if not (out / "loracurve" / "v1" / "services_pb2_grpc.py").exists():
        from grpc_tools import protoc
        out.mkdir(parents=True, exist_ok=True)
        files = sorted(str(p.relative_to(PROTO)) for p in (PROTO / "loracurve" / "v1").glob("*.proto"))
        args = ["protoc", f"-I{PROTO}", f"--python_out={out}", f"--grpc_python_out={out}", *files]
        if protoc.main(args) != 0:
            sys.exit("protoc failed on " + ", ".join(files))
    sys.path.insert(0, str(out))


def channel(target, ca, token):
    """A TLS channel to target that trusts ca and sends the token with every call."""
    tls = grpc.ssl_channel_credentials(root_certificates=pathlib.Path(ca).read_bytes())
    bearer = grpc.access_token_call_credentials(token)
    return grpc.secure_channel(target, grpc.composite_channel_credentials(tls, bearer))


def bad_request(error):
    """The field violations of a refused call (google.rpc.BadRequest in grpc-status-details-bin)."""
    from google.rpc import error_details_pb2, status_pb2
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                    br = error_details_pb2.BadRequest()
                    detail.Unpack(br)
                    return [(v.field, v.description) for v in br.field_violations]
    return []


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--eval", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--token", default=os.environ.get("LORACURVE_TOKEN"))
    ap.add_argument("--experiment", required=True)
    ap.add_argument("--items", required=True)
    ap.add_argument("--method", default="curve")
    ap.add_argument("--stubs", default=str(HERE / "build" / "stubs"))
    a = ap.parse_args()
    stubs(a.stubs)
    from loracurve.v1 import services_pb2 as s, services_pb2_grpc as g

    experiments = g.ExperimentServiceStub(channel(a.gateway, a.ca, a.token))
    listed = experiments.ListExperiments(s.ListExperimentsRequest(), timeout=30)
    print(f"experiments of this team: {len(listed.experiments)}")

    items = [json.loads(line) for line in pathlib.Path(a.items).read_text().splitlines() if line.strip()]
    request = s.PredictRequest(
        experiment_id=a.experiment,
        method=a.method,
        items=[s.PredictItem(id=str(i.get("id", "")), prompt=i["prompt"], choices=i["choices"]) for i in items],
    )
    predictions = g.PredictionServiceStub(channel(a.eval, a.ca, a.token))
    answer = predictions.Predict(request, timeout=120)
    print(f"{answer.method}, M = {answer.samples}")
    for p in answer.predictions:
        print(f"item {p.id}: choice {p.choice} (p {p.probabilities[p.choice]:.4f}), "
              f"mutual information {p.mutual_information:.4f} nats")

    try:
        predictions.Predict(s.PredictRequest(experiment_id=a.experiment, method=a.method), timeout=30)
    except grpc.RpcError as e:
        for field, why in bad_request(e):
            print(f"refused: {e.code().name}, field {field}: {why}")


if __name__ == "__main__":
    main()
