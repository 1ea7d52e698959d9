"""Local input: configuration files, function folders and zips, and their layers."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer.errors import ArchiveError, InputError
from analyzer.fetch.archive import ExtractionLimits, IncompleteExtractionError
from analyzer.fetch.local import (
    ConfiguredLayer,
    FunctionConfiguration,
    configuration_from_document,
    layer_search_dir,
    layers_from_configuration,
    load_local_function,
    read_configuration,
)
from analyzer.models import AnalysisError, Function, Layer

Tree = Callable[[Path], list[str]]
MakeZip = Callable[..., Path]

KNOWN_RUNTIMES = "python3.8, python3.9, python3.10, python3.11, python3.12, python3.13, python3.14"
CFFI_LAYER_ARN = "arn:aws:lambda:us-east-1:123456789012:layer:native-helpers:4"


def write_json(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document))
    return path


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every path under ``root``."""
    return {
        path.relative_to(root).as_posix(): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in root.rglob("*")
    }


def sha256_b64(path: Path) -> str:
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


# Reading a configuration


def test_configuration_of_a_case_with_a_layer(cases_dir: Path) -> None:
    path = cases_dir / "checksum-cffi-layer" / "configuration.json"

    assert read_configuration(path) == FunctionConfiguration(
        source=str(path),
        name="checksum-cffi-layer",
        arn="arn:aws:lambda:us-east-1:123456789012:function:checksum-cffi-layer",
        runtime="python3.9",
        handler="app.handler",
        architecture="x86_64",
        layers=(ConfiguredLayer(CFFI_LAYER_ARN, "native-helpers", 4, 560309),),
        code_sha256="I82j+xExoUtxYSl9pmcI0wZEr10yAmObddyryvzsorI=",
        code_size=502,
        package_type="Zip",
        environment_names=(),
    )


def test_environment_values_are_not_kept(cases_dir: Path) -> None:
    path = cases_dir / "orders-db-psycopg2-binary" / "configuration.json"

    config = read_configuration(path)

    assert config.environment_names == ("ORDERS_DSN",)
    assert "orders-db.internal" not in repr(config)


def test_every_case_configuration_reads_and_names_its_handler_file(
    cases_dir: Path, case_name: str
) -> None:
    case = case_name
    config = read_configuration(cases_dir / case / "configuration.json")

    assert config.arn == f"arn:aws:lambda:us-east-1:123456789012:function:{config.name}"
    assert config.runtime == "python3.9"
    assert config.architecture == "x86_64"
    assert config.package_type == "Zip"
    assert config.handler is not None
    module = config.handler.rpartition(".")[0]
    assert (cases_dir / case / "function" / f"{module.replace('.', '/')}.py").is_file()


def test_get_function_output_reads_like_get_function_configuration(
    cases_dir: Path, tmp_path: Path
) -> None:
    original = cases_dir / "layer-py39-site-packages" / "configuration.json"
    presigned = "https://bucket.invalid/function.zip?X-Amz-Signature=0123abcd"
    wrapped = write_json(
        tmp_path / "get-function.json",
        {
            "Configuration": json.loads(original.read_text()),
            "Code": {"RepositoryType": "S3", "Location": presigned},
            "Tags": {"team": "data"},
        },
    )

    config = read_configuration(wrapped)

    assert config.source == str(wrapped)
    assert config.layers == (
        ConfiguredLayer(
            "arn:aws:lambda:us-east-1:123456789012:layer:query-utils:2", "query-utils", 2, 20424
        ),
    )
    assert config.environment_names == ("PROJECTION",)
    assert config == FunctionConfiguration(
        **{**read_configuration(original).__dict__, "source": str(wrapped)}
    )
    assert "X-Amz-Signature" not in repr(config)


def test_configuration_written_as_utf16_by_powershell_is_read(tmp_path: Path) -> None:
    path = tmp_path / "configuration.json"
    path.write_text(json.dumps({"FunctionName": "f", "Runtime": "python3.8"}), encoding="utf-16")

    assert read_configuration(path) == FunctionConfiguration(
        source=str(path), name="f", runtime="python3.8"
    )


def test_container_image_configuration_has_no_runtime(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "configuration.json",
        {"FunctionName": "img", "PackageType": "Image", "Architectures": ["arm64"]},
    )

    assert read_configuration(path) == FunctionConfiguration(
        source=str(path), name="img", architecture="arm64", package_type="Image"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"FunctionName": "f",\n "Runtime": }',
            "not valid JSON (Expecting value at line 2, column 13)",
        ),
        ("[1, 2]", "not a JSON object"),
        ('"python3.9"', "not a JSON object"),
        (
            '{"name": "my-package", "version": "1.0.0"}',
            "not a Lambda function configuration "
            "(none of FunctionName, FunctionArn, Runtime, Handler, CodeSha256)",
        ),
        (
            '{"Functions": [{"FunctionName": "f"}]}',
            "holds a list of functions; give the configuration of one function",
        ),
        ('{"Configuration": "f"}', "Configuration is not a JSON object"),
        (
            '{"Runtime": "python2.7"}',
            f"unknown runtime 'python2.7'; known runtimes: {KNOWN_RUNTIMES}",
        ),
        (
            '{"Runtime": "nodejs20.x"}',
            f"unknown runtime 'nodejs20.x'; known runtimes: {KNOWN_RUNTIMES}",
        ),
        ('{"Runtime": 3.9}', "Runtime is not a string"),
        ('{"Handler": ["app.handler"]}', "Handler is not a string"),
        ('{"Handler": "a.b", "CodeSize": "12"}', "CodeSize is not an integer"),
        (
            '{"Handler": "a.b", "Architectures": ["sparc"]}',
            "unknown architecture 'sparc'; known architectures: x86_64, arm64",
        ),
        ('{"Handler": "a.b", "Architectures": "arm64"}', "Architectures is not a list of strings"),
        ('{"Handler": "a.b", "Layers": {"Arn": "x"}}', "Layers is not a list"),
        ('{"Handler": "a.b", "Layers": [{"CodeSize": 1}]}', "a Layers entry has no Arn string"),
        (
            '{"Handler": "a.b", "Layers": [{"Arn": "arn:aws:lambda:us-east-1:1:function:f"}]}',
            "'arn:aws:lambda:us-east-1:1:function:f' is not a layer version ARN",
        ),
    ],
)
def test_malformed_configuration_is_an_input_error_naming_the_file(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "configuration.json"
    path.write_text(content)

    with pytest.raises(InputError) as raised:
        read_configuration(path)

    assert str(raised.value) == f"{path}: {message}"


def test_binary_configuration_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "configuration.json"
    path.write_bytes(b"\xff\xfe\xfd\x00\x81")

    with pytest.raises(InputError) as raised:
        read_configuration(path)

    assert str(raised.value) == f"{path}: not valid JSON (not UTF-8, UTF-16 or UTF-32 text)"


def test_missing_configuration_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "configuration.json"

    with pytest.raises(InputError) as raised:
        read_configuration(path)

    assert str(raised.value) == f"{path}: cannot be read (No such file or directory)"


def test_error_about_environment_never_shows_a_value() -> None:
    document = {"Handler": "a.b", "Environment": {"Variables": ["TOKEN=s3cr3t"]}}

    config = configuration_from_document(document, source="boto3")

    assert config.environment_names == ()
    assert "s3cr3t" not in repr(config)


def test_layer_given_as_a_bare_arn_string() -> None:
    document = {"Handler": "a.b", "Layers": [CFFI_LAYER_ARN]}

    config = configuration_from_document(document, source="boto3")

    assert config.layers == (ConfiguredLayer(CFFI_LAYER_ARN, "native-helpers", 4, None),)


# Finding configured layers on disk


def test_layers_of_a_case_are_found_beside_its_function_folder(cases_dir: Path) -> None:
    case = cases_dir / "checksum-cffi-layer"
    config = read_configuration(case / "configuration.json")

    search_dir = layer_search_dir(case / "function")

    assert search_dir == case / "layers"
    assert layers_from_configuration(config, search_dir) == [case / "layers" / "native-helpers"]


def test_layer_folder_is_preferred_to_a_layer_zip_of_the_same_name(tmp_path: Path) -> None:
    (tmp_path / "alpha").mkdir()
    (tmp_path / "alpha.zip").write_bytes(b"")
    (tmp_path / "beta.zip").write_bytes(b"")
    config = configuration_from_document(
        {
            "Handler": "a.b",
            "Layers": [
                {"Arn": "arn:aws:lambda:us-east-1:1:layer:beta:1"},
                {"Arn": "arn:aws:lambda:us-east-1:1:layer:gamma:3"},
                {"Arn": "arn:aws:lambda:us-east-1:1:layer:alpha:2"},
            ],
        },
        source="test",
    )

    assert layers_from_configuration(config, tmp_path) == [
        tmp_path / "beta.zip",
        tmp_path / "alpha",
    ]


# Loading a function


def test_case_folder_is_used_in_place_with_its_configured_layer(
    cases_dir: Path, workdir: Path
) -> None:
    case = cases_dir / "checksum-cffi-layer"
    before = snapshot(case)
    config = read_configuration(case / "configuration.json")
    errors: list[AnalysisError] = []

    function = load_local_function(case / "function", workdir, config=config, errors=errors)

    assert function == Function(
        name="checksum-cffi-layer",
        code_root=str((case / "function").resolve()),
        source_runtime="python3.9",
        handler="app.handler",
        architecture="x86_64",
        arn="arn:aws:lambda:us-east-1:123456789012:function:checksum-cffi-layer",
        layers=(
            Layer(
                name="native-helpers",
                root=str((case / "layers" / "native-helpers").resolve()),
                arn=CFFI_LAYER_ARN,
                code_sha256=None,
            ),
        ),
        code_sha256=None,
        package_type="Zip",
        overrides=(),
    )
    assert errors == []
    assert list(workdir.iterdir()) == []
    assert snapshot(case) == before


def test_function_zip_is_extracted_into_the_workdir(
    cases_dir: Path, tmp_path: Path, workdir: Path, list_tree: Tree
) -> None:
    case = cases_dir / "layer-py39-site-packages"
    shutil.copytree(case / "layers", tmp_path / "layers")
    archive = Path(shutil.make_archive(str(tmp_path / "function"), "zip", case / "function"))
    config = read_configuration(case / "configuration.json")
    errors: list[AnalysisError] = []

    function = load_local_function(archive, workdir, config=config, errors=errors)

    assert function.code_root == str((workdir / "function").resolve())
    assert list_tree(workdir / "function") == ["app.py"]
    assert function.code_sha256 == sha256_b64(archive)
    assert function.layers == (
        Layer(
            name="query-utils",
            root=str((tmp_path / "layers" / "query-utils").resolve()),
            arn="arn:aws:lambda:us-east-1:123456789012:layer:query-utils:2",
        ),
    )
    # The zip made here is not byte for byte the one deployed, so its digest differs.
    assert errors == [
        AnalysisError(
            "fetch",
            f"function.zip does not match the CodeSha256 of {config.source}; "
            "the report describes function.zip",
        )
    ]


def test_skipped_members_become_analysis_errors(
    make_zip: MakeZip, workdir: Path, list_tree: Tree
) -> None:
    link = zipfile.ZipInfo("data")
    link.external_attr = 0o120777 << 16
    archive = make_zip(
        "function.zip",
        [
            ("lambda_function.py", b"def lambda_handler(e, c): pass\n"),
            ("../evil.py", b""),
            (link, b"/etc"),
        ],
    )
    errors: list[AnalysisError] = []

    function = load_local_function(archive, workdir, config=None, errors=errors)

    assert errors == [
        AnalysisError(
            "fetch",
            "function.zip: member '../evil.py' not extracted "
            "(parent folder reference (..) in path)",
            path="../evil.py",
        ),
        AnalysisError(
            "fetch", "function.zip: member 'data' not extracted (symbolic link)", path="data"
        ),
    ]
    assert function.handler == "lambda_function.lambda_handler"
    assert function.name == "function"
    assert list_tree(workdir) == ["function/", "function/lambda_function.py"]


def test_defaults_for_a_folder_without_configuration(tmp_path: Path, workdir: Path) -> None:
    folder = tmp_path / "billing-export"
    folder.mkdir()
    (folder / "lambda_function.py").write_text("def lambda_handler(event, context):\n    pass\n")

    function = load_local_function(folder, workdir, config=None)

    assert function == Function(
        name="billing-export",
        code_root=str(folder.resolve()),
        source_runtime="python3.9",
        handler="lambda_function.lambda_handler",
        architecture="x86_64",
    )


def test_handler_is_unknown_without_configuration_or_lambda_function_py(
    tmp_path: Path, workdir: Path
) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "app.py").write_text("def handler(event, context):\n    pass\n")

    assert load_local_function(folder, workdir, config=None).handler is None


def test_command_line_values_override_the_configuration(cases_dir: Path, workdir: Path) -> None:
    case = cases_dir / "webhook-relay-compat-shims"
    config = read_configuration(case / "configuration.json")

    function = load_local_function(
        case / "function", workdir, config=config, handler="compat.handler", runtime="3.8"
    )

    assert function.handler == "compat.handler"
    assert function.source_runtime == "python3.8"
    assert function.architecture == "x86_64"
    assert function.name == "webhook-relay-compat-shims"
    assert function.overrides == ("runtime", "handler")


def test_layers_given_are_kept_in_order_and_replace_the_configured_ones(
    cases_dir: Path, make_zip: MakeZip, tmp_path: Path, workdir: Path, list_tree: Tree
) -> None:
    case = cases_dir / "checksum-cffi-layer"
    config = read_configuration(case / "configuration.json")
    overlay = make_zip("overlay.zip", [("python/", b""), ("python/helpers.py", b"H = 2\n")])
    native = case / "layers" / "native-helpers"

    function = load_local_function(
        case / "function", workdir, config=config, layers=[overlay, native], architecture="arm64"
    )

    assert function.layers == (
        Layer(
            name="overlay",
            root=str((workdir / "layers" / "overlay").resolve()),
            code_sha256=sha256_b64(overlay),
        ),
        Layer(name="native-helpers", root=str(native.resolve()), arn=CFFI_LAYER_ARN),
    )
    assert list_tree(workdir / "layers") == [
        "overlay/",
        "overlay/python/",
        "overlay/python/helpers.py",
    ]
    assert function.architecture == "arm64"
    assert function.overrides == ("architecture", "layers")


def test_configured_layer_without_a_local_copy_is_reported(tmp_path: Path, workdir: Path) -> None:
    folder = tmp_path / "function"
    folder.mkdir()
    (folder / "app.py").write_text("")
    config = configuration_from_document(
        {
            "Handler": "app.handler",
            "Layers": [{"Arn": "arn:aws:lambda:us-east-1:1:layer:shared-utils:7"}],
        },
        source="configuration.json",
    )
    errors: list[AnalysisError] = []

    function = load_local_function(folder, workdir, config=config, errors=errors)

    assert function.layers == ()
    assert errors == [
        AnalysisError(
            "fetch",
            "layer arn:aws:lambda:us-east-1:1:layer:shared-utils:7 has no local copy "
            f"({tmp_path / 'layers'}/shared-utils/ or shared-utils.zip); "
            "its content is not analysed",
        )
    ]


def test_two_layers_with_the_same_name_are_an_input_error(
    make_zip: MakeZip, tmp_path: Path, workdir: Path
) -> None:
    function_dir = tmp_path / "function"
    function_dir.mkdir()
    first = make_zip("utils.zip", [("python/a.py", b"")])
    second = tmp_path / "other" / "utils"
    second.mkdir(parents=True)

    with pytest.raises(InputError) as raised:
        load_local_function(function_dir, workdir, config=None, layers=[first, second])

    assert str(raised.value) == (
        f"{second}: another layer is already named 'utils' "
        "(a layer is named after its folder or zip)"
    )


def test_missing_function_path_is_an_input_error(tmp_path: Path, workdir: Path) -> None:
    with pytest.raises(InputError) as raised:
        load_local_function(tmp_path / "nowhere", workdir, config=None)

    assert str(raised.value) == f"{tmp_path / 'nowhere'}: no such file or folder"


def test_file_that_is_not_a_zip_is_an_archive_error(tmp_path: Path, workdir: Path) -> None:
    source = tmp_path / "app.py"
    source.write_text("def handler(event, context):\n    pass\n")

    with pytest.raises(ArchiveError) as raised:
        load_local_function(source, workdir, config=None)

    assert str(raised.value) == "app.py is not a zip archive"


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            {"runtime": "python2.7"},
            f"unknown runtime 'python2.7'; known runtimes: {KNOWN_RUNTIMES}",
        ),
        ({"architecture": "x86"}, "unknown architecture 'x86'; known architectures: x86_64, arm64"),
    ],
)
def test_unknown_runtime_or_architecture_given_is_an_input_error(
    tmp_path: Path, workdir: Path, option: dict[str, str], message: str
) -> None:
    with pytest.raises(InputError) as raised:
        load_local_function(tmp_path, workdir, config=None, **option)

    assert str(raised.value) == message


def test_archive_cap_reached_part_way_keeps_what_was_extracted(
    make_zip: MakeZip, workdir: Path, list_tree: Tree
) -> None:
    archive = make_zip(
        "function.zip",
        [("app.py", b"A" * 600), ("big.bin", bytes(range(256)) * 4)],
        zipfile.ZIP_STORED,
    )
    limits = ExtractionLimits(max_total_bytes=1024)
    errors: list[AnalysisError] = []

    function = load_local_function(archive, workdir, config=None, limits=limits, errors=errors)

    assert list_tree(Path(function.code_root)) == ["app.py"]
    assert errors == [
        AnalysisError(
            "fetch",
            "function.zip: content is larger than the 1 KiB limit for a whole archive "
            "(stopped at member big.bin); the rest of function.zip is not analysed",
        )
    ]


def test_archive_cap_reached_part_way_raises_without_an_error_list(
    make_zip: MakeZip, workdir: Path
) -> None:
    archive = make_zip("function.zip", [("big.bin", bytes(range(256)) * 8)], zipfile.ZIP_STORED)

    with pytest.raises(IncompleteExtractionError) as raised:
        load_local_function(
            archive, workdir, config=None, limits=ExtractionLimits(max_total_bytes=1024)
        )

    assert str(raised.value) == (
        "function.zip: content is larger than the 1 KiB limit for a whole archive "
        "(stopped at member big.bin)"
    )
